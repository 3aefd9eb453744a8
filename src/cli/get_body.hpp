// `pier get`'s request bodies, as curl sends them: -d and its kin (--data-binary, --data-raw,
// --data-urlencode, --json), -G, -F / --form-string, -T, and --expect100-timeout. Private to
// the CLI.
#pragma once

#include "cli/get_errors.hpp"

#include <pier/fetch.hpp>

#include <CLI/CLI.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pier::cli {

struct BodyArgs {
    enum class DataKind : std::uint8_t {
        data,      // -d, --data-ascii: @file without its CR and LF
        binary,    // --data-binary: @file as it is
        raw,       // --data-raw: no @file
        urlencode, // --data-urlencode: curl's five forms, encoded
        json,      // --json: as --data-binary, joined without '&'
    };
    struct Data {
        DataKind kind;
        std::string value;
    };
    struct Form {
        bool literal; // --form-string: no @, < or ;type= in the value
        std::string value;
    };
    std::vector<Data> data; // in command-line order, as curl joins them
    std::vector<Form> forms;
    std::vector<std::string> uploads; // -T: one per URL, in order
    bool get = false;                 // -G
    double expect100_timeout = 1;
};

/// Registers the body flags on `get`.
void add_body_options(CLI::App& get, BodyArgs& args);

/// The flags curl refuses together (-F with -d, -T with -d or -F, -I or -G with a body).
std::optional<Failure> body_conflict(const BodyArgs& args, bool head);

struct BodyTarget {
    std::size_t url_index = 0; // which -T goes with this URL
    bool head = false;         // -I
    bool type_given = false;   // -H Content-Type (or "Content-Type:")
    bool quiet = false;        // -s: no warnings
};

/// Puts one transfer's body in `options` (the method it implies, which -X overrides after;
/// the body or body source; Content-Type; the Expect wait) and the URL changes it implies
/// (-G's query, -T's file name). Throws Failure: 26 for a file that cannot be read, 2 for a
/// malformed -F.
void apply_body(const BodyArgs& args, const BodyTarget& target, std::string& url,
                client::FetchOptions& options);

} // namespace pier::cli
