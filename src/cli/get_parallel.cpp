#include "cli/get_parallel.hpp"

#include "cli/get_errors.hpp"
#include "cli/get_output.hpp"
#include "cli/get_write_out.hpp"
#include "net/event_loop.hpp"

#include <pier/async_client.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <memory>

namespace pier::cli {

std::string parallel_unsupported(const GetArgs& args) {
    std::vector<std::string> why;
    if (!args.body.uploads.empty()) why.emplace_back("-T");
    if (!args.body.forms.empty()) why.emplace_back("-F");
    if (!args.transfer.continue_at.empty()) why.emplace_back("-C");
    if (args.transfer.remote_header_name) why.emplace_back("-J");
    if (!args.transfer.limit_rate.empty()) why.emplace_back("--limit-rate");
    if (args.retry > 0) why.emplace_back("--retry");
    if (!args.dump_header.empty()) why.emplace_back("-D");
    if (!args.cookies.empty() || !args.cookie_jar.empty()) why.emplace_back("cookies (-b, -c)");
    if (args.connection.http10) why.emplace_back("--http1.0");
    if (!args.connection.cert.empty()) why.emplace_back("--cert");
    if (args.proxy_set
            ? !args.proxy.empty()
            : std::getenv("http_proxy") != nullptr || std::getenv("https_proxy") != nullptr)
        why.emplace_back("a proxy");
    std::string out;
    for (const std::string& w : why) out += (out.empty() ? "" : ", ") + w;
    return out;
}

namespace {

using Clock = std::chrono::steady_clock;

class ParallelRun {
  public:
    ParallelRun(const GetArgs& args, std::vector<ParallelJob> jobs, const OptionsFor& options_for)
        : args_(args), jobs_(std::move(jobs)), options_for_(options_for), codes_(jobs_.size(), 0),
          session_(loop_, static_cast<std::size_t>(args.parallel_max)) {}

    int run() {
        if (jobs_.empty()) return 0;
        start_more();
        if (running_ != 0) events_.run();
        return codes_.back();
    }

  private:
    struct Job {
        std::size_t slot = 0;
        std::unique_ptr<OutputFile> out;
        TransferInfo info;
        Clock::time_point start = Clock::now();
        int code = 0;
        std::string message;
    };

    void start_more() {
        while (running_ < static_cast<std::size_t>(args_.parallel_max) && next_ < jobs_.size())
            launch(next_++);
    }

    void launch(std::size_t slot) {
        ++running_;
        auto job = std::make_shared<Job>();
        job->slot = slot;
        const ParallelJob& j = jobs_[slot];
        std::string url = j.url.find("://") == std::string::npos ? "http://" + j.url : j.url;
        job->info.url = j.url;
        job->info.urlnum = static_cast<int>(j.index);
        client::FetchOptions options;
        try {
            options = options_for_(j.index, url);
        } catch (const Failure& f) {
            return finish(*job, f.code, f.message);
        }
        options.debug = nullptr; // -v's printing is the sequential path's; -Z stays quiet
        job->info.url_effective = url;
        job->info.method = options.method;
        job->out = std::make_unique<OutputFile>(j.path);
        if (j.path.size() > 0 && j.path != "-") job->info.filename_effective = j.path;
        client::AsyncHandlers h;
        h.on_head = [this, job](const client::AsyncResponse& r) { head(*job, r); };
        h.on_data = [this, job](std::string_view bytes) { return data(*job, bytes); };
        h.on_done = [this, job](std::exception_ptr e) { done(*job, e); };
        session_.fetch(url, options, std::move(h));
    }

    void head(Job& job, const client::AsyncResponse& r) {
        TransferInfo& i = job.info;
        i.http_code = r.status;
        i.http_version = r.version;
        i.url_effective = r.url;
        i.num_redirects = r.redirects;
        if (r.fields.contains(FieldId::content_type))
            i.content_type = std::string(r.fields.get(FieldId::content_type));
        i.size_header = r.head_text.size();
        i.time_starttransfer = seconds_since(job.start);
        if (r.status >= 400 && (args_.fail || args_.transfer.fail_with_body)) {
            job.code = 22;
            job.message = fmt::format("The requested URL returned error: {}", r.status);
            if (args_.fail) return; // no body: on_data stops the transfer
        }
        if (!job.out->open()) {
            job.code = 23;
            job.message = fmt::format("Failed to create {}", job.out->path());
            return;
        }
        if ((args_.include || args_.head) && !job.out->write(r.head_text)) job.code = 23;
    }

    bool data(Job& job, std::string_view bytes) {
        if (job.code != 0 && !(job.code == 22 && args_.transfer.fail_with_body)) return false;
        job.info.size_download += bytes.size();
        if (args_.head) return true;
        if (!job.out->write(bytes)) {
            job.code = 23;
            job.message = "Failure writing output to destination";
            return false;
        }
        return true;
    }

    void done(Job& job, std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                const Failure f = classify(e);
                if (job.code == 0) {
                    job.code = f.code;
                    job.message = f.message;
                }
            }
        }
        const bool keep = job.code == 0 || (job.code == 22 && args_.transfer.fail_with_body);
        if (keep && job.out && !job.out->commit() && job.code == 0) {
            job.code = 23;
            job.message = "Failed to write " + job.out->path();
        }
        finish(job, job.code, job.message);
    }

    void finish(Job& job, int code, const std::string& message) {
        job.out.reset(); // an uncommitted temporary file goes
        codes_[job.slot] = code;
        if (code != 0 && (!args_.silent || args_.show_error))
            fmt::print(stderr, "pier: ({}) {}\n", code, message);
        if (!args_.write_out.empty()) {
            job.info.time_total = seconds_since(job.start);
            job.info.exit_code = code;
            if (code != 0) job.info.errormsg = message;
            fmt::print("{}", format_write_out(args_.write_out, job.info));
            std::fflush(stdout);
        }
        --running_;
        start_more();
        if (running_ == 0 && next_ == jobs_.size()) events_.stop();
    }

    static double seconds_since(Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
    }

    const GetArgs& args_;
    std::vector<ParallelJob> jobs_;
    const OptionsFor& options_for_;
    std::vector<int> codes_;
    net::EventLoop events_;
    Loop loop_{events_};
    client::AsyncSession session_;
    std::size_t next_ = 0;
    std::size_t running_ = 0;
};

} // namespace

int run_parallel(const GetArgs& args, std::vector<ParallelJob> jobs,
                 const OptionsFor& options_for) {
    ParallelRun run(args, std::move(jobs), options_for);
    return run.run();
}

} // namespace pier::cli
