#include "webdav/xml_request.hpp"

#include "webdav/xml_escape.hpp"

#include <climits>
#include <cstdint>
#include <expat.h>
#include <memory>
#include <set>

namespace pier::webdav {
namespace {

// Expat joins namespace, local name and prefix with this. U+0001 cannot occur in an XML 1.0
// name or namespace name (not even as &#1;), so the split is never ambiguous.
constexpr char kSeparator = '\x01';
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

// An expanded name as expat reports it with triplets on: "ns\1local\1prefix", "ns\1local"
// (default namespace), or "local" (no namespace).
struct Name {
    std::string_view ns;
    std::string_view local;
    std::string_view prefix;

    bool is_dav(std::string_view name) const { return ns == kDavNamespace && local == name; }
};

Name split_name(const XML_Char* raw) {
    const std::string_view s(raw);
    const std::size_t first = s.find(kSeparator);
    if (first == std::string_view::npos) return {{}, s, {}};
    const std::size_t second = s.find(kSeparator, first + 1);
    if (second == std::string_view::npos) return {s.substr(0, first), s.substr(first + 1), {}};
    return {s.substr(0, first), s.substr(first + 1, second - first - 1), s.substr(second + 1)};
}

// The common part of every reader: an expat parser in namespace mode with the DOCTYPE
// refused, element depth bounded, and xml:lang tracked, since RFC 4918 §4.3 makes the
// xml:lang in scope on a property part of what a server keeps.
class Reader {
  public:
    // `max_depth` bounds what the handlers below keep per open element.
    Reader(std::string& error, std::size_t max_depth)
        : error_(error), max_depth_(max_depth),
          parser_(XML_ParserCreateNS(nullptr, kSeparator), XML_ParserFree) {
        XML_Parser p = parser_.get();
        if (p == nullptr) return; // out of memory: read() says so
        XML_SetUserData(p, this);
        XML_SetReturnNSTriplet(p, 1);
        XML_SetElementHandler(p, on_start, on_end);
        XML_SetCharacterDataHandler(p, on_text);
        XML_SetStartNamespaceDeclHandler(p, on_namespace);
        XML_SetStartDoctypeDeclHandler(p, on_doctype);
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    virtual ~Reader() = default;

    bool read(std::string_view body) {
        if (!parser_) return fail_early("out of memory");
        if (body.size() > static_cast<std::size_t>(INT_MAX)) return fail_early("body too large");
        const XML_Status status =
            XML_Parse(parser_.get(), body.data(), static_cast<int>(body.size()), XML_TRUE);
        if (failed_) return false; // error_ says why, in our words
        if (status != XML_STATUS_OK) {
            error_ = "not well-formed XML (line " +
                     std::to_string(XML_GetCurrentLineNumber(parser_.get())) +
                     "): " + XML_ErrorString(XML_GetErrorCode(parser_.get()));
            return false;
        }
        return true;
    }

  protected:
    std::string& error_;

    void fail(std::string why) {
        if (failed_) return;
        failed_ = true;
        error_ = std::move(why);
        XML_StopParser(parser_.get(), XML_FALSE);
    }
    std::size_t depth() const { return depth_; } // the current element's; the root's is 1
    std::string_view lang() const {
        if (langs_.empty()) return {};
        return langs_.back();
    }

    virtual void start(const Name& name, const XML_Char** attributes) = 0;
    virtual void end(const Name& name) = 0;
    virtual void text(std::string_view) {}
    virtual void declaration(std::string_view /*prefix*/, std::string_view /*ns*/) {}

  private:
    bool fail_early(const char* why) {
        error_ = why;
        return false;
    }

    static Reader& self(void* user) { return *static_cast<Reader*>(user); }

    static void XMLCALL on_start(void* user, const XML_Char* raw, const XML_Char** attributes) {
        Reader& r = self(user);
        if (r.failed_) return;
        if (++r.depth_ > r.max_depth_) {
            return r.fail("elements nested deeper than " + std::to_string(r.max_depth_));
        }
        bool has_lang = false;
        for (const XML_Char** a = attributes; *a != nullptr; a += 2) {
            const Name n = split_name(a[0]);
            if (n.ns == kXmlNamespace && n.local == "lang") {
                r.langs_.emplace_back(a[1]);
                has_lang = true;
            }
        }
        r.lang_pushed_.push_back(has_lang);
        r.start(split_name(raw), attributes);
    }

    static void XMLCALL on_end(void* user, const XML_Char* raw) {
        Reader& r = self(user);
        if (r.failed_) return;
        r.end(split_name(raw));
        if (r.lang_pushed_.back()) r.langs_.pop_back();
        r.lang_pushed_.pop_back();
        --r.depth_;
    }

    static void XMLCALL on_text(void* user, const XML_Char* s, int length) {
        Reader& r = self(user);
        if (!r.failed_) r.text({s, static_cast<std::size_t>(length)});
    }

    static void XMLCALL on_namespace(void* user, const XML_Char* prefix, const XML_Char* ns) {
        Reader& r = self(user);
        if (!r.failed_) r.declaration(prefix ? prefix : "", ns ? ns : "");
    }

    // Without a DOCTYPE there is no entity but the five predefined ones: nothing to expand,
    // nothing external to fetch. WebDAV bodies never need one.
    static void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*,
                                   int) {
        self(user).fail("DOCTYPE not allowed");
    }

    std::size_t max_depth_;
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser_;
    bool failed_ = false;
    std::size_t depth_ = 0;
    std::vector<std::string> langs_; // one per element that carries xml:lang, innermost last
    std::vector<bool> lang_pushed_;  // per open element: did it push onto langs_
};

// Re-serialises the content of one property element as a context-free fragment (see
// property.hpp), keeping the client's prefixes.
//
// Declarations the client made inside the value are written where it made them, so they cost
// what they cost in the body. A prefix bound outside the value (on the property element or
// above) is declared on the outermost element that uses it, which may repeat it on every
// top-level sibling: those bytes are charged to `budget`.
class FragmentWriter {
  public:
    explicit FragmentWriter(std::size_t budget) : budget_(budget) {}

    void begin() {
        out_.clear();
        scope_.clear();
        pending_.clear();
        depth_ = 0;
    }
    std::string take() { return std::move(out_); }

    // A declaration on the element about to start.
    void declaration(std::string_view prefix, std::string_view ns) {
        if (prefix == "xml") return; // bound in every document: declaring it is never needed
        pending_.push_back({std::string(prefix), std::string(ns), 0});
    }

    // False when the budget for declarations of outside prefixes is spent.
    bool start(const Name& name, const XML_Char** attributes) {
        ++depth_;
        out_ += '<';
        append_qname(name);
        for (auto& d : pending_) {
            d.depth = depth_;
            append_declaration(d.prefix, d.ns);
            scope_.push_back(std::move(d));
        }
        pending_.clear();
        bool ok = bind(name.prefix, name.ns);
        for (const XML_Char** a = attributes; *a != nullptr; a += 2) {
            const Name n = split_name(a[0]);
            if (!n.prefix.empty()) ok = ok && bind(n.prefix, n.ns);
        }
        for (const XML_Char** a = attributes; *a != nullptr; a += 2) {
            out_ += ' ';
            append_qname(split_name(a[0]));
            out_ += "=\"";
            append_escaped_attribute(out_, a[1]);
            out_ += '"';
        }
        out_ += '>';
        return ok;
    }

    void end(const Name& name) {
        out_ += "</";
        append_qname(name);
        out_ += '>';
        while (!scope_.empty() && scope_.back().depth == depth_) scope_.pop_back();
        --depth_;
    }

    void text(std::string_view s) { append_escaped_text(out_, s); }

  private:
    struct Binding {
        std::string prefix; // empty: the default namespace
        std::string ns;
        std::size_t depth;
    };

    void append_qname(const Name& n) {
        if (!n.prefix.empty()) {
            out_ += n.prefix;
            out_ += ':';
        }
        out_ += n.local;
    }

    void append_declaration(std::string_view prefix, std::string_view ns) {
        out_ += prefix.empty() ? " xmlns" : " xmlns:";
        out_ += prefix;
        out_ += "=\"";
        append_escaped_attribute(out_, ns);
        out_ += '"';
    }

    // Makes `prefix` mean `ns` on the element being written, declaring it there if the
    // fragment has not bound it so already. An unprefixed element in no namespace needs
    // xmlns="" unless an enclosing element of the fragment says so: the fragment cannot know
    // what default namespace the place it is embedded in has.
    bool bind(std::string_view prefix, std::string_view ns) {
        if (prefix == "xml") return true;
        for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
            if (it->prefix == prefix) {
                if (it->ns == ns) return true;
                break;
            }
        }
        append_declaration(prefix, ns);
        scope_.push_back({std::string(prefix), std::string(ns), depth_});
        const std::size_t cost = prefix.size() + ns.size() + 10;
        if (cost > budget_) return false;
        budget_ -= cost;
        return true;
    }

    std::string out_;
    std::vector<Binding> scope_; // bindings written in the fragment, innermost last
    std::vector<Binding> pending_;
    std::size_t depth_ = 0; // inside the fragment: its top-level elements are at 1
    std::size_t budget_;
};

class PropfindReader final : public Reader {
  public:
    explicit PropfindReader(std::string& error) : Reader(error, kMaxXmlDepth) {}

    std::optional<Propfind> result() {
        if (!kind_) {
            error_ = "propfind has none of allprop, propname, prop";
            return std::nullopt;
        }
        if (saw_include_ && *kind_ != Propfind::Kind::allprop) {
            error_ = "include is only allowed with allprop";
            return std::nullopt;
        }
        find_.kind = *kind_;
        return std::move(find_);
    }

  private:
    enum class Section {
        other,
        prop,
        include
    };

    void start(const Name& n, const XML_Char**) override {
        if (depth() == 1) {
            if (!n.is_dav("propfind")) fail("root element is not DAV:propfind");
        } else if (depth() == 2) {
            section_ = Section::other;
            if (n.is_dav("allprop")) {
                set_kind(Propfind::Kind::allprop);
            } else if (n.is_dav("propname")) {
                set_kind(Propfind::Kind::propname);
            } else if (n.is_dav("prop")) {
                set_kind(Propfind::Kind::prop);
                section_ = Section::prop;
            } else if (n.is_dav("include")) {
                saw_include_ = true;
                section_ = Section::include;
            }
        } else if (depth() == 3 && section_ != Section::other) {
            if (++count_ > kMaxRequestProperties) {
                return fail("more than " + std::to_string(kMaxRequestProperties) + " properties");
            }
            PropertyName p{std::string(n.ns), std::string(n.local)};
            auto& list = section_ == Section::prop ? find_.props : find_.include;
            auto& seen = section_ == Section::prop ? seen_props_ : seen_include_;
            if (seen.insert(p).second) list.push_back(std::move(p));
        }
    }

    void end(const Name&) override {
        if (depth() == 2) section_ = Section::other;
    }

    void set_kind(Propfind::Kind k) {
        if (kind_) return fail("more than one of allprop, propname, prop");
        kind_ = k;
    }

    Propfind find_;
    std::optional<Propfind::Kind> kind_;
    bool saw_include_ = false;
    Section section_ = Section::other;
    std::size_t count_ = 0;
    std::set<PropertyName> seen_props_, seen_include_;
};

class ProppatchReader final : public Reader {
  public:
    ProppatchReader(std::string& error, std::size_t budget)
        : Reader(error, kMaxXmlDepth), value_(budget) {}

    std::vector<PropertyUpdate> take() { return std::move(updates_); }

  private:
    // Depths of the elements this reader acts on; everything else is skipped (RFC 4918 §17).
    static constexpr std::size_t kInstruction = 2; // DAV:set, DAV:remove
    static constexpr std::size_t kProp = 3;        // DAV:prop
    static constexpr std::size_t kProperty = 4;    // the property itself

    void start(const Name& n, const XML_Char** attributes) override {
        const std::size_t d = depth();
        if (d == 1) {
            if (!n.is_dav("propertyupdate")) fail("root element is not DAV:propertyupdate");
        } else if (d == kInstruction) {
            op_ = n.is_dav("set")      ? std::optional(PropertyUpdate::Op::set)
                  : n.is_dav("remove") ? std::optional(PropertyUpdate::Op::remove)
                                       : std::nullopt;
        } else if (d == kProp) {
            in_prop_ = op_ && n.is_dav("prop");
        } else if (d == kProperty && in_prop_) {
            if (updates_.size() == kMaxRequestProperties) {
                return fail("more than " + std::to_string(kMaxRequestProperties) + " properties");
            }
            PropertyUpdate u{*op_, {std::string(n.ns), std::string(n.local)}, {}, {}};
            if (*op_ == PropertyUpdate::Op::set) {
                u.lang = lang();
                value_.begin();
                in_value_ = true;
            }
            updates_.push_back(std::move(u));
        } else if (in_value_) {
            if (!value_.start(n, attributes)) fail("too many namespace declarations in values");
        }
    }

    void end(const Name& n) override {
        const std::size_t d = depth();
        if (d > kProperty && in_value_) {
            value_.end(n);
        } else if (d == kProperty && in_value_) {
            updates_.back().value_xml = value_.take();
            in_value_ = false;
        } else if (d == kProp) {
            in_prop_ = false;
        } else if (d == kInstruction) {
            op_.reset();
        }
    }

    void text(std::string_view s) override {
        if (in_value_) value_.text(s);
    }

    void declaration(std::string_view prefix, std::string_view ns) override {
        // Reported before the start of the element that makes it: depth() is its parent's.
        if (in_value_) value_.declaration(prefix, ns);
    }

    std::vector<PropertyUpdate> updates_;
    std::optional<PropertyUpdate::Op> op_;
    bool in_prop_ = false;
    bool in_value_ = false;
    FragmentWriter value_;
};

bool is_blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

std::optional<Propfind> parse_propfind(std::string_view body, std::string& error) {
    // RFC 4918 §9.1: no body means allprop. Blank is taken as none: it holds no document.
    if (is_blank(body)) return Propfind{};
    PropfindReader reader(error);
    if (!reader.read(body)) return std::nullopt;
    return reader.result();
}

std::optional<std::vector<PropertyUpdate>> parse_proppatch(std::string_view body,
                                                           std::string& error) {
    if (is_blank(body)) {
        error = "PROPPATCH needs a propertyupdate body";
        return std::nullopt;
    }
    ProppatchReader reader(error, std::size_t{64} * 1024 + 4 * body.size());
    if (!reader.read(body)) return std::nullopt;
    auto updates = reader.take();
    if (updates.empty()) {
        error = "propertyupdate sets or removes no property";
        return std::nullopt;
    }
    return updates;
}

namespace {

// No depth bound here: a Multi-Status nests a value four elements deeper than the request
// that carried it, and expat itself keeps no per-element state on the C stack.
class CheckingReader final : public Reader {
  public:
    explicit CheckingReader(std::string& error) : Reader(error, SIZE_MAX) {}

  private:
    void start(const Name&, const XML_Char**) override {}
    void end(const Name&) override {}
};

} // namespace

bool is_wellformed_xml(std::string_view document, std::string* error) {
    std::string ignored;
    CheckingReader reader(error ? *error : ignored);
    return reader.read(document);
}

} // namespace pier::webdav
