#include "triage/json.hpp"

#include "flow_data.hpp"
#include "text_util.hpp"
#include "time_format.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace triage {

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Record text inside a message's double quotes, with '"' and '\\' escaped: the quotes still say
// where it ends (ErrorTally groups messages by what is outside them). At most 200 bytes, cut
// between UTF-8 sequences.
std::string quoted_text(std::string_view text) {
    const std::size_t cut = utf8_cut(text, 200);
    std::string out;
    for (char c : text.substr(0, cut)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    if (cut < text.size()) out += "…";
    return out;
}

namespace ondemand = simdjson::ondemand;

std::string_view json_type_name(ondemand::json_type type) {
    using T = ondemand::json_type;
    switch (type) {
    case T::array: return "an array";
    case T::object: return "an object";
    case T::number: return "a number";
    case T::string: return "a string";
    case T::boolean: return "true/false";
    case T::null: return "null";
    }
    return "a value";
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A scalar's text as it stands in the line: the token runs up to the next structural character,
// so it may carry white space after it.
std::string_view token_of(ondemand::value& value) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    return token;
}

// A string value's text without copying it, when it holds no escape: stage 1 has already checked
// its UTF-8 and that no control character is left unescaped, so the bytes between the quotes are
// the string. False for a string with escapes (they must be decoded and checked) or no string.
bool unescaped_string(ondemand::value& value, std::string_view& text) {
    std::string_view token = token_of(value);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
    text = token.substr(1, token.size() - 2);
    return text.find('\\') == std::string_view::npos;
}

}  // namespace

// Record keys resolve to slots through a tree with one node per object level, so a nested key
// costs one comparison per level and no dotted path is built while reading.
struct KeyTree {
    static constexpr std::uint32_t none = UINT32_MAX;
    struct Entry {
        std::string key;
        std::uint32_t slot = none;   // the field this key sets
        std::uint32_t child = none;  // the node for an object under this key
    };
    struct Node {
        std::vector<Entry> entries;
        // Wide levels (many fields) are looked up by hash instead of scanned.
        std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index;
    };
    std::vector<Node> nodes{1};

    void add(std::string_view dotted, std::uint32_t slot) {
        std::uint32_t node = 0;
        for (;;) {
            std::size_t dot = dotted.find('.');
            std::uint32_t at = entry(node, dotted.substr(0, dot));
            if (dot == std::string_view::npos) {
                nodes[node].entries[at].slot = slot;
                return;
            }
            if (nodes[node].entries[at].child == none) {
                nodes[node].entries[at].child = static_cast<std::uint32_t>(nodes.size());
                nodes.emplace_back();
            }
            node = nodes[node].entries[at].child;
            dotted.remove_prefix(dot + 1);
        }
    }

    std::uint32_t entry(std::uint32_t node, std::string_view key) {
        auto& entries = nodes[node].entries;
        for (std::uint32_t i = 0; i < entries.size(); ++i)
            if (entries[i].key == key) return i;
        entries.push_back({std::string(key), none, none});
        return static_cast<std::uint32_t>(entries.size() - 1);
    }

    void finish() {
        for (Node& n : nodes)
            if (n.entries.size() > 12)
                for (std::uint32_t i = 0; i < n.entries.size(); ++i) n.index.emplace(n.entries[i].key, i);
    }

    [[nodiscard]] const Entry* find(std::uint32_t node, std::string_view key) const noexcept {
        const Node& n = nodes[node];
        if (!n.index.empty()) {
            auto it = n.index.find(key);
            return it == n.index.end() ? nullptr : &n.entries[it->second];
        }
        for (const Entry& e : n.entries)
            if (e.key.size() == key.size() && std::memcmp(e.key.data(), key.data(), key.size()) == 0) return &e;
        return nullptr;
    }
};

// Lines are read with simdjson On-Demand: stage 1 indexes the line (and validates its UTF-8 and
// the escaping of control characters in strings), then the reader walks the object once, reading
// the fields the flow declares as the type each field wants, and checking every other value
// without converting it (docs/security.md, "What is checked in a line"). Any fault sends the line to the
// DOM parser as well, so that a line that is invalid JSON is reported exactly as the DOM parser
// reports it, whichever fault the walk met first.
struct JsonRecordReader::Impl {
    // Skipped values nested deeper than this are not followed (the walk is recursive); the DOM
    // parser, which does not recurse, then checks the whole line.
    static constexpr std::uint32_t walk_depth = 128;

    Flow flow;
    JsonOptions options;
    ondemand::parser parser;
    ondemand::document document;
    std::unique_ptr<simdjson::dom::parser> checker;  // the DOM parser, made at the first line that needs it
    std::string padded;  // the line plus simdjson's padding, reused between reads
    std::string_view line;
    KeyTree keys;
    std::vector<FieldValue> values;
    std::vector<std::uint32_t> set_in;  // per slot: the read that set it (duplicate keys)
    std::uint32_t reads = 0;
    std::uint32_t keys_seen = 0;
    bool check_whole_line = false;  // a value this walk could not check: the DOM parser does
    bool id_from_checker = false;   // an id that is not a plain string or number: taken from the DOM
    std::vector<std::string_view> path;  // the keys being visited, for error messages
    std::string id;
    std::string error;

    Impl(Flow f, JsonOptions o)
        : flow(std::move(f)), options(std::move(o)), values(flow.fields().size()), set_in(flow.fields().size(), 0) {
        // Sets the depth limit; iterate() grows the capacity later as lines need it (and reports
        // a failure to allocate as an error of that line).
        simdjson::error_code allocated = parser.allocate(4096, std::max<std::uint32_t>(options.max_depth, 1));
        static_cast<void>(allocated);
        for (std::uint32_t i = 0; i < flow.fields().size(); ++i) keys.add(flow.fields()[i].name, i);
        for (const auto& [key, field] : options.renames) {
            auto slot = flow.find_field(field);
            if (slot) keys.add(key, *slot);
        }
        keys.finish();
    }

    [[nodiscard]] std::string dotted_path() const {
        std::string out;
        for (std::string_view key : path) {
            if (!out.empty()) out += '.';
            out += key;
        }
        return out;
    }

    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }
    bool invalid(simdjson::error_code e) { return fail(fmt::format("invalid JSON: {}", simdjson::error_message(e))); }
    bool too_deep() {
        return fail(fmt::format("objects and arrays nested more than {} deep (limit: json-depth)", options.max_depth));
    }

    // A key as a view of the line when it holds no escape (the common case: no copy), else decoded.
    bool key_of(ondemand::field& field, std::string_view& key) {
        const char* begin = field.key().raw();
        const char* end = line.data() + line.size();
        const void* quote = begin < end ? std::memchr(begin, '"', static_cast<std::size_t>(end - begin)) : nullptr;
        if (quote == nullptr) return invalid(simdjson::UNCLOSED_STRING);
        key = std::string_view(begin, static_cast<std::size_t>(static_cast<const char*>(quote) - begin));
        if (key.find('\\') == std::string_view::npos) return true;
        if (auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS) return invalid(e);
        return true;
    }

    bool text_of(ondemand::value& value, std::string_view& text) {
        if (unescaped_string(value, text)) return true;
        if (auto e = value.get_string().get(text); e != simdjson::SUCCESS) return invalid(e);
        return true;
    }

    bool number_of(ondemand::value& value, double& number, ondemand::number_type& kind) {
        ondemand::number n;
        if (auto e = value.get_number().get(n); e != simdjson::SUCCESS) return invalid(e);
        kind = n.get_number_type();
        if (kind == ondemand::number_type::signed_integer) number = static_cast<double>(n.get_int64());
        else if (kind == ondemand::number_type::unsigned_integer) number = static_cast<double>(n.get_uint64());
        else number = n.get_double();
        return true;
    }

    // Checks a value no field reads, as the DOM parser would, converting nothing: strings
    // without escapes and the structure around every value were checked by stage 1 and the walk.
    bool check_skipped(ondemand::value value, std::uint32_t depth) {
        ondemand::json_type type;
        if (auto e = value.type().get(type); e != simdjson::SUCCESS) return invalid(e);
        switch (type) {
        case ondemand::json_type::object:
        case ondemand::json_type::array: return check_container(value, type, depth + 1);
        case ondemand::json_type::string: {
            std::string_view text;
            return text_of(value, text);
        }
        case ondemand::json_type::number: {
            double number = 0;
            ondemand::number_type kind;
            return number_of(value, number, kind);
        }
        case ondemand::json_type::boolean: {
            bool b = false;
            if (auto e = value.get_bool().get(b); e != simdjson::SUCCESS) return invalid(e);
            return true;
        }
        case ondemand::json_type::null: {
            bool is_null = false;
            if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return invalid(simdjson::N_ATOM_ERROR);
            return true;
        }
        }
        return true;
    }

    bool check_container(ondemand::value value, ondemand::json_type type, std::uint32_t depth) {
        if (depth > options.max_depth) return too_deep();
        if (depth > walk_depth) {  // left to On-Demand's skip, which does not recurse; the DOM checks it
            check_whole_line = true;
            return true;
        }
        if (type == ondemand::json_type::array) {
            ondemand::array array;
            if (auto e = value.get_array().get(array); e != simdjson::SUCCESS) return invalid(e);
            for (auto element : array) {
                ondemand::value item;
                if (auto e = std::move(element).get(item); e != simdjson::SUCCESS) return invalid(e);
                if (!check_skipped(item, depth)) return false;
            }
            return true;
        }
        ondemand::object object;
        if (auto e = value.get_object().get(object); e != simdjson::SUCCESS) return invalid(e);
        for (auto member : object) {
            ondemand::field field;
            if (auto e = std::move(member).get(field); e != simdjson::SUCCESS) return invalid(e);
            std::string_view key;
            if (!key_of(field, key) || !check_skipped(field.value(), depth)) return false;
        }
        return true;
    }

    bool set_time(std::uint32_t slot, ondemand::value& value, ondemand::json_type type) {
        static const detail::TimeFormat rfc3339_or_seconds;
        const auto& formats = detail::data_of(flow).time_formats;
        const detail::TimeFormat& format = slot < formats.size() ? formats[slot] : rfc3339_or_seconds;
        if (type == ondemand::json_type::string) {
            std::string_view text;
            if (!text_of(value, text)) return false;
            auto t = format.parse(text);
            if (!t) {
                if (format.is_default())
                    return fail(fmt::format("'{}' is not a date-time such as 2026-11-22T09:30:00Z: \"{}\"",
                                            dotted_path(), quoted_text(text)));
                return fail(fmt::format("'{}' does not match its time format \"{}\": \"{}\"", dotted_path(),
                                        format.spec(), quoted_text(text)));
            }
            values[slot] = FieldValue::of_time(*t);
            return true;
        }
        if (!format.accepts_numbers() || type != ondemand::json_type::number)
            return wrong_type(slot, type,
                              format.is_default() ? "a date-time string or seconds since 1970"
                              : format.accepts_numbers()
                                  ? (format.spec() == "unix_ms" ? "milliseconds since 1970" : "seconds since 1970")
                                  : "a string in its time format");
        double number = 0;
        ondemand::number_type kind;
        if (!number_of(value, number, kind)) return false;
        if (format.spec() == "unix_ms" && number != std::floor(number))
            return fail(fmt::format("'{}' must be whole milliseconds since 1970, not {}", dotted_path(), number));
        auto t = format.from_number(number);
        if (!t)
            return fail(fmt::format("'{}' is out of range for a date-time: {} {} since 1970", dotted_path(), number,
                                    format.spec() == "unix_ms" ? "milliseconds" : "seconds"));
        values[slot] = FieldValue::of_time(*t);
        return true;
    }

    bool wrong_type(std::uint32_t slot, ondemand::json_type type, std::string_view expected) {
        const Field& f = flow.fields()[slot];
        return fail(fmt::format("'{}' must be {} for field '{}' ({}), not {}", dotted_path(), expected, f.name,
                                to_string(f.type), json_type_name(type)));
    }

    // Reads a field's value as the type the field wants.
    bool set(std::uint32_t slot, ondemand::value value) {
        using T = ondemand::json_type;
        const Field& f = flow.fields()[slot];
        T type;
        if (auto e = value.type().get(type); e != simdjson::SUCCESS) return invalid(e);
        if (type == T::null) {
            bool is_null = false;
            if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return invalid(simdjson::N_ATOM_ERROR);
            values[slot] = FieldValue::missing();
            return true;
        }
        switch (f.type) {
        case FieldType::text:
        case FieldType::enumeration: {
            if (type != T::string) return wrong_type(slot, type, "a string");
            std::string_view text;
            if (!text_of(value, text)) return false;
            values[slot] = FieldValue::of_text(text);
            return true;
        }
        case FieldType::number:
        case FieldType::integer: {
            if (type != T::number) return wrong_type(slot, type, f.type == FieldType::integer ? "a whole number" : "a number");
            double number = 0;
            ondemand::number_type kind;
            if (!number_of(value, number, kind)) return false;
            // 12.0 is a whole number; 2.5 is not one, for an integer field.
            if (f.type == FieldType::integer && kind == ondemand::number_type::floating_point_number &&
                number != std::floor(number))
                return fail(fmt::format("'{}' must be a whole number for field '{}' (integer), not {}", dotted_path(),
                                        f.name, number));
            values[slot] = FieldValue::of_number(number);
            return true;
        }
        case FieldType::boolean: {
            if (type != T::boolean) return wrong_type(slot, type, "true or false");
            bool b = false;
            if (auto e = value.get_bool().get(b); e != simdjson::SUCCESS) return invalid(e);
            values[slot] = FieldValue::of_bool(b);
            return true;
        }
        case FieldType::time: return set_time(slot, value, type);
        }
        return true;
    }

    void append_id_string(std::string_view text) {
        id += '"';
        for (char c : text) {
            if (c == '"' || c == '\\') {
                id += '\\';
                id += c;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                fmt::format_to(std::back_inserter(id), "\\u{:04x}", static_cast<unsigned>(c));
            } else {
                id += c;
            }
        }
        id += '"';
    }

    // The id as JSON text, written here so that no string is allocated per line. A string
    // without escapes and a number are read from the line's text without consuming the value
    // (a field may read it too, and a value is read once); a string with escapes is decoded here,
    // or by the field that reads it (`from_field`); any other id is taken from the DOM.
    enum class IdRead { left, consumed, from_field };
    bool capture_id(ondemand::value& value, bool read_by_field, IdRead& how) {
        id.clear();
        how = IdRead::left;
        ondemand::json_type type;
        if (value.type().get(type) != simdjson::SUCCESS) return true;  // the walk reports the fault
        if (type == ondemand::json_type::string) {
            std::string_view text;
            if (unescaped_string(value, text)) {
                append_id_string(text);
                return true;
            }
            if (read_by_field) {
                how = IdRead::from_field;
                return true;
            }
            if (auto e = value.get_string().get(text); e != simdjson::SUCCESS) return invalid(e);
            append_id_string(text);
            how = IdRead::consumed;
            return true;
        }
        if (type == ondemand::json_type::number && number_id(token_of(value))) return true;
        id_from_checker = true;
        check_whole_line = true;
        return true;
    }

    // A number id as the DOM parser read it: a whole number as a 64-bit integer, else a double.
    bool number_id(std::string_view token) {
        const char* end = token.data() + token.size();
        const bool whole = token.find_first_of(".eE") == std::string_view::npos;
        auto out = std::back_inserter(id);
        std::int64_t i = 0;
        std::uint64_t u = 0;
        double d = 0;
        auto all = [&](std::from_chars_result r) { return r.ec == std::errc() && r.ptr == end; };
        if (whole && all(std::from_chars(token.data(), end, i))) fmt::format_to(out, "{}", i);
        else if (whole && all(std::from_chars(token.data(), end, u))) fmt::format_to(out, "{}", u);
        else if (!whole && all(std::from_chars(token.data(), end, d)) && std::isfinite(d)) fmt::format_to(out, "{}", d);
        else return false;
        return true;
    }

    bool visit(ondemand::object object, std::uint32_t node, std::uint32_t depth) {
        for (auto member : object) {
            ondemand::field field;
            if (auto e = std::move(member).get(field); e != simdjson::SUCCESS) return invalid(e);
            std::string_view key;
            if (!key_of(field, key)) return false;
            ondemand::value value = field.value();
            if (++keys_seen > options.max_keys)
                return fail(fmt::format("more than {} keys (limit: fields)", options.max_keys));
            const KeyTree::Entry* e = keys.find(node, key);
            IdRead id_read = IdRead::left;
            if (node == 0 && key == options.id_key && !capture_id(value, e != nullptr && e->slot != KeyTree::none, id_read))
                return false;
            if (e == nullptr) {
                if (id_read == IdRead::left && !check_skipped(value, depth)) return false;
                continue;
            }
            path.push_back(key);
            if (!visit_entry(*e, value, depth)) return false;
            path.pop_back();
            if (id_read == IdRead::from_field) {
                if (values[e->slot].kind == ValueKind::text) append_id_string(values[e->slot].text);
                else id_from_checker = check_whole_line = true;  // read as a time: its text is gone
            }
        }
        return true;
    }

    bool visit_entry(const KeyTree::Entry& e, ondemand::value& value, std::uint32_t depth) {
        if (e.slot != KeyTree::none) {
            if (set_in[e.slot] == reads) return fail(fmt::format("key '{}' appears twice", dotted_path()));
            set_in[e.slot] = reads;
            return set(e.slot, value);
        }
        ondemand::json_type type;
        if (auto fault = value.type().get(type); fault != simdjson::SUCCESS) return invalid(fault);
        if (type == ondemand::json_type::object) {
            if (depth + 1 > options.max_depth) return too_deep();
            ondemand::object object;
            if (auto fault = value.get_object().get(object); fault != simdjson::SUCCESS) return invalid(fault);
            return visit(object, e.child, depth + 1);
        }
        if (type == ondemand::json_type::null) return check_skipped(value, depth);  // the fields below are missing
        if (!check_skipped(value, depth)) return false;
        return fail(fmt::format("'{}' must be an object (the flow reads fields inside it), not {}", dotted_path(),
                                json_type_name(type)));
    }

    bool walk(const char* data, std::size_t size) {
        if (auto e = parser.iterate(data, size, size + JsonRecordReader::padding).get(document); e != simdjson::SUCCESS)
            return invalid(e);
        ondemand::object object;
        if (document.get_object().get(object) != simdjson::SUCCESS) return fail("a mention must be a JSON object");
        if (!visit(object, 0, 1)) return false;
        // Text after the object (stage 1 found more tokens than the object holds).
        if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) return invalid(simdjson::TAPE_ERROR);
        return true;
    }

    // The DOM parser's verdict on the line: what it says of invalid JSON, of the depth limit and
    // of a line that is no object is what this reader has always said.
    bool dom_accepts() {
        if (!checker) {
            checker = std::make_unique<simdjson::dom::parser>();
            simdjson::error_code allocated = checker->allocate(4096, std::max<std::uint32_t>(options.max_depth, 1));
            static_cast<void>(allocated);  // parse() reports a failure to allocate
        }
        simdjson::dom::element root;
        if (auto e = checker->parse(line.data(), line.size(), false).get(root); e != simdjson::SUCCESS) {
            if (e == simdjson::DEPTH_ERROR) return too_deep();
            return invalid(e);
        }
        simdjson::dom::object object;
        if (root.get(object) != simdjson::SUCCESS) return fail("a mention must be a JSON object");
        if (id_from_checker)
            for (auto [key, value] : object)
                if (key == options.id_key) id = simdjson::minify(value);
        return true;
    }

    bool parse(const char* data, std::size_t size) {
        error.clear();
        id.clear();
        path.clear();
        keys_seen = 0;
        check_whole_line = false;
        id_from_checker = false;
        if (++reads == 0) {  // wrapped: forget which read set each slot
            std::fill(set_in.begin(), set_in.end(), 0);
            reads = 1;
        }
        std::fill(values.begin(), values.end(), FieldValue::missing());
        if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {  // a byte-order mark
            data += 3;
            size -= 3;
        }
        if (size > options.max_line_bytes) return fail(line_too_long(size, options.max_line_bytes));
        line = std::string_view(data, size);
        if (!walk(data, size)) {
            dom_accepts();  // when the line is invalid JSON, that is the error to report
            return false;
        }
        return !check_whole_line || dom_accepts();
    }

    bool read(std::string_view json) {
        padded.assign(json);
        padded.append(simdjson::SIMDJSON_PADDING, '\0');
        return parse(padded.data(), json.size());
    }
};

static_assert(JsonRecordReader::padding >= simdjson::SIMDJSON_PADDING);

JsonRecordReader::JsonRecordReader(Flow flow, JsonOptions options)
    : impl_(std::make_unique<Impl>(std::move(flow), std::move(options))) {}
JsonRecordReader::~JsonRecordReader() = default;
JsonRecordReader::JsonRecordReader(JsonRecordReader&&) noexcept = default;
JsonRecordReader& JsonRecordReader::operator=(JsonRecordReader&&) noexcept = default;

bool JsonRecordReader::read(std::string_view json) { return impl_->read(json); }
bool JsonRecordReader::read_padded(std::string_view json) { return impl_->parse(json.data(), json.size()); }

std::string JsonRecordReader::line_too_long(std::uint64_t bytes, std::size_t limit) {
    return fmt::format("the line is {} bytes; the limit is {} (limit: line-length)", bytes, limit);
}
const std::string& JsonRecordReader::error() const noexcept { return impl_->error; }
std::string_view JsonRecordReader::id() const noexcept { return impl_->id; }
FieldValue JsonRecordReader::value(std::uint32_t slot) const noexcept { return impl_->values[slot]; }

RecordView JsonRecordReader::view() const noexcept {
    return {impl_.get(),
            [](const void* self, std::uint32_t slot, const void*) noexcept {
                return static_cast<const Impl*>(self)->values[slot];
            },
            nullptr};
}

}  // namespace triage
