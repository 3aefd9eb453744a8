#include "handlers/form_upload.hpp"

#include "handlers/directory_listing.hpp"
#include "handlers/upload_file.hpp"
#include "handlers/upload_name.hpp"

#include <pier/field_lists.hpp>
#include <pier/multipart.hpp>
#include <pier/uri.hpp>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pier::handlers {
namespace {

struct StoredFile {
    std::string name; // the safe name asked for; the stored one may be numbered
    std::unique_ptr<UploadFile> file;
};

struct Form {
    explicit Form(std::string_view boundary) : parser(boundary) {}
    MultipartParser parser;
    std::string carry; // input the parser left: the start of what may be a delimiter
    std::vector<StoredFile> files;
    UploadFile* current = nullptr; // the part being stored, if it is a file
    int status = 0;                // non-zero: refuse with it (the rest is drained)
    std::string message;
    std::string directory; // on disk
    std::string url;       // the directory's URL path, encoded, with its trailing slash
    bool browser = false;  // answer with a redirect to the listing
    bool show_hidden = false;
    const WriteRules* rules = nullptr;

    void fail(int s, std::string m) {
        if (status != 0) return;
        status = s;
        message = std::move(m);
        files.clear(); // the temporaries go with them
        current = nullptr;
    }

    // A part's head: a file to store, or a field to skip.
    void begin_part() {
        current = nullptr;
        const auto disposition =
            parse_content_disposition(parser.part_fields().get("Content-Disposition"));
        if (!disposition || !disposition->filename || disposition->filename->empty())
            return; // a text field, or a file input left empty
        const auto name = safe_upload_name(*disposition->filename, show_hidden);
        if (!name) return fail(400, "Refused file name: " + *disposition->filename);
        if (files.size() == kMaxFormFiles) return fail(413, "Too many files in one form");
        auto file = std::make_unique<UploadFile>();
        file->set_durable(rules->durable);
        if (!file->open(directory, new_file_mode()))
            return fail(status_for_write_error(errno), std::strerror(errno));
        current = file.get();
        files.push_back({*name, std::move(file)});
    }

    // Runs the parser over `input`; returns what it left unconsumed.
    std::size_t feed(std::string_view input) {
        while (status == 0) {
            const MultipartParser::Step step = parser.parse(input);
            input.remove_prefix(step.consumed);
            switch (step.status) {
            case MultipartParser::Status::part:
                begin_part();
                break;
            case MultipartParser::Status::data:
                if (current != nullptr && !current->write(step.data))
                    fail(status_for_write_error(errno), std::strerror(errno));
                break;
            case MultipartParser::Status::part_end:
                current = nullptr;
                break;
            case MultipartParser::Status::error:
                fail(400, std::string("Malformed form: ") + std::string(to_string(parser.error())));
                return 0;
            case MultipartParser::Status::done:
                return 0; // the epilogue is ignored
            case MultipartParser::Status::need_more:
                return input.size();
            }
        }
        return 0;
    }

    void take(std::string_view piece) {
        if (status != 0 || parser.done()) return;
        if (carry.empty()) {
            const std::size_t left = feed(piece);
            carry.assign(piece.substr(piece.size() - left));
        } else {
            carry.append(piece);
            const std::size_t left = feed(carry);
            carry.erase(0, carry.size() - left);
        }
    }
};

// The name asked for or, when it is taken (and not to be replaced, or a directory), the first
// free "name (n)". A name taken between the look and the rename is skipped the same way.
bool commit_file(const Form& form, StoredFile& f, std::string& stored) {
    const bool overwrite = form.rules->overwrite;
    for (unsigned n = 0; n <= 1000; ++n) {
        stored = n == 0 ? f.name : numbered_name(f.name, n);
        const std::string target = form.directory + "/" + stored;
        struct stat st {};
        if (lstat(target.c_str(), &st) == 0 && (!overwrite || !S_ISREG(st.st_mode))) continue;
        if (f.file->commit(target, overwrite)) return true;
        if (errno != EEXIST) return false;
    }
    errno = EEXIST;
    return false;
}

void finish(Form& form, Response& res) {
    const WriteRules& rules = *form.rules;
    if (form.status == 0 && !form.parser.done()) form.fail(400, "The form ended early");
    if (form.status != 0) return refuse(rules, res, form.status, form.message);
    std::string json = "{\"stored\":[";
    bool first = true;
    for (StoredFile& f : form.files) {
        std::string stored;
        const std::uint64_t size = f.file->size();
        // Existing names: RENAME_NOREPLACE refuses, so look for a free one first.
        if (!commit_file(form, f, stored)) {
            const int error = errno;
            return refuse(rules, res, status_for_write_error(error), std::strerror(error));
        }
        if (!first) json += ',';
        first = false;
        json += "{\"name\":";
        append_json_string(json, stored);
        json += ",\"size\":" + std::to_string(size) + ",\"location\":";
        append_json_string(json, form.url + percent_encode_path(stored));
        json += '}';
    }
    json += "]}\n";
    if (form.browser) {
        res.set_status(303);
        res.set_header("Location", form.url);
    } else {
        res.set_status(201);
        res.set_body(std::move(json), "application/json");
    }
    if (rules.add_common_fields) rules.add_common_fields(res);
}

// Whether the form came from a page (a navigation expecting HTML back), not from a script.
bool from_browser_form(const Request& req) {
    const std::string_view mode = req.header("Sec-Fetch-Mode");
    if (!mode.empty()) return mode == "navigate";
    for (const Weighted w : weighted_elements(req.header("Accept")))
        if (w.value == "text/html" && w.q > 0) return true;
    return false;
}

} // namespace

void serve_form_upload(const WriteRules& rules, const Request& req, Response& res) {
    WriteTarget t = locate_for_write(rules, req.path());
    if (t.status != 0) return refuse(rules, res, t.status);
    if (!t.exists) return refuse(rules, res, 404);
    if (!S_ISDIR(t.st.st_mode)) {
        refuse(rules, res, 405, "Files are uploaded to a directory");
        res.set_header("Allow", "GET, HEAD, OPTIONS, PUT");
        return;
    }
    const auto boundary = multipart_boundary(req.header("Content-Type"));
    if (!boundary) return refuse(rules, res, 415, "Expected a multipart/form-data upload");
    auto form = std::make_shared<Form>(*boundary);
    form->directory = t.fs_path;
    form->url = percent_encode_path(t.decoded == "/" ? std::string("/") : t.decoded + "/");
    form->browser = from_browser_form(req);
    form->show_hidden = rules.show_hidden;
    form->rules = &rules;
    auto end = [form](Response& out) {
        out.finish_blocking([form](Response& r) { finish(*form, r); });
    };
    if (!body_to_come(req)) { // whole, or none at all (then "ended early")
        form->take(req.body());
        end(res);
        return;
    }
    res.read_body([form](std::string_view piece) { form->take(piece); }, std::move(end));
}

} // namespace pier::handlers
