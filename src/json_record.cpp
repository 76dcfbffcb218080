#include "triage/json.hpp"

#include "flow_data.hpp"
#include "text_util.hpp"
#include "time_format.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <regex>
#include <span>
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

// `path` (dotted) as a jq path: `.user.followers_count`, `."Follower Count"`.
std::string jq_path(std::string_view path) {
    std::string out;
    for (std::size_t at = 0; at <= path.size();) {
        std::size_t end = std::min(path.find('.', at), path.size());
        const std::string_view key = path.substr(at, end - at);
        const bool plain = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0])) &&
                           std::all_of(key.begin(), key.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                           });
        out += plain ? fmt::format(".{}", key) : fmt::format(".\"{}\"", quoted_text(key));
        at = end + 1;
    }
    return out;
}

// Text to stand inside a shell's single quotes: each ' as '\'' (a key such as "Author's").
std::string shell_quoted_inside(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '\'' ? std::string_view("'\\''") : std::string_view(&c, 1);
    return out;
}

// Exports made from spreadsheets write numbers and true/false as text ("12,345", "TRUE"): when a
// string that is no value of its field reads as one, the message says how to convert the export.
[[gnu::cold]] std::string text_value_hint(std::string_view text, FieldType wanted, std::string_view path) {
    // Digits, with ',' only as a thousands separator ("12,345", "-1,234.5"): "0,75" is a decimal
    // comma, which dropping the commas would read as 75; "nan" and "inf" jq does not read.
    static const std::regex written_number(R"(^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?([eE][-+]?\d+)?$)");
    const bool reads_as_number = std::regex_match(text.begin(), text.end(), written_number);
    std::string convert;
    if ((wanted == FieldType::number || wanted == FieldType::integer) && reads_as_number)
        convert = "gsub(\",\";\"\") | tonumber";  // one line for every value, so that the summary has one reason
    const std::string lower = ascii_lower(text);
    if (wanted == FieldType::boolean && (lower == "true" || lower == "false")) convert = "ascii_downcase == \"true\"";
    if (convert.empty()) return {};
    return fmt::format(" (\"{}\"); the export writes it as text: convert it first, e.g. "
                       "jq -c '{} |= (if type == \"string\" then {} else . end)'",
                       quoted_text(text), shell_quoted_inside(jq_path(path)), convert);
}

// A list where the flow reads one value (Bluesky's "langs": ["fr", "en"], a list of hashtags): how
// to make it one, words joined for a text field, the first for a one-of.
[[gnu::cold]] std::string array_hint(FieldType wanted, std::string_view path) {
    if (wanted != FieldType::text && wanted != FieldType::enumeration) return {};
    return fmt::format("; the flow reads one value: make the list one first, e.g. "
                       "jq -c '{} |= (if type == \"array\" then {} else . end)'",
                       shell_quoted_inside(jq_path(path)), wanted == FieldType::text ? "join(\" \")" : ".[0]");
}

std::string_view json_type_name(simdjson::dom::element_type type) {
    using T = simdjson::dom::element_type;
    switch (type) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "true/false";
    case T::NULL_VALUE: return "null";
    }
    return "a value";
}

// Whether `a` and `b` (both `n` bytes) are equal, without a call: keys are short, and a call to
// memcmp cost more than the comparison. Loads overlap at the end instead of looping byte by byte.
[[gnu::always_inline]] inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    auto load8 = [](const char* p) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        return w;
    };
    auto load4 = [](const char* p) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        return w;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load8(a + i) != load8(b + i)) return false;
        return load8(a + n - 8) == load8(b + n - 8);
    }
    if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
    // 0 to 3 bytes: the first, middle and last cover them all.
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

// A number element's value, `type` being one of the three number types. Flattened: simdjson's
// getters are plain `inline` and GCC left them as calls, each testing the type again.
[[gnu::flatten]] inline double number_of(simdjson::dom::element value, simdjson::dom::element_type type) noexcept {
    using T = simdjson::dom::element_type;
    if (type == T::DOUBLE) return value.get_double().value_unsafe();
    if (type == T::INT64) return static_cast<double>(value.get_int64().value_unsafe());
    return static_cast<double>(value.get_uint64().value_unsafe());
}

}  // namespace

// Record keys resolve to slots through a tree with one node per object level, so a nested key
// costs one comparison per level and no dotted path is built while reading: a node knows the key
// that leads to it, which is all an error message needs to name where it is.
struct KeyTree {
    static constexpr std::uint32_t none = UINT32_MAX;
    static constexpr std::size_t length_lists = 32;  // keys of 31 bytes and more share the last
    struct Entry {
        std::string key;
        std::uint32_t slot = none;   // the field this key sets
        std::uint32_t child = none;  // the node for an object under this key
        std::uint32_t same_length = none;  // the next entry in this entry's length list
    };
    struct Node {
        std::vector<Entry> entries;
        // Narrow levels list their entries by key length: most keys of a level differ in length,
        // so a key is compared with one entry, and a key of a length no entry has with none.
        std::array<std::uint32_t, length_lists> first_of_length{};
        // Wide levels (many fields) are looked up by hash instead.
        std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index;
        std::uint32_t parent = none;  // the node above, and the entry of it that leads here
        std::uint32_t parent_entry = none;
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
                const auto child = static_cast<std::uint32_t>(nodes.size());
                nodes[node].entries[at].child = child;
                nodes.emplace_back();
                nodes[child].parent = node;
                nodes[child].parent_entry = at;
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

    static std::size_t length_list(std::size_t length) noexcept { return std::min(length, length_lists - 1); }

    void finish() {
        for (Node& n : nodes) {
            n.first_of_length.fill(none);
            for (auto i = static_cast<std::uint32_t>(n.entries.size()); i-- > 0;) {
                std::uint32_t& first = n.first_of_length[length_list(n.entries[i].key.size())];
                n.entries[i].same_length = first;
                first = i;
            }
            if (n.entries.size() > 12)
                for (std::uint32_t i = 0; i < n.entries.size(); ++i) n.index.emplace(n.entries[i].key, i);
        }
    }

    [[nodiscard]] const Entry* find(std::uint32_t node, std::string_view key) const noexcept {
        const Node& n = nodes[node];
        if (!n.index.empty()) {
            auto it = n.index.find(key);
            return it == n.index.end() ? nullptr : &n.entries[it->second];
        }
        for (std::uint32_t i = n.first_of_length[length_list(key.size())]; i != none; i = n.entries[i].same_length) {
            const Entry& e = n.entries[i];
            if (e.key.size() == key.size() && same_bytes(e.key.data(), key.data(), key.size())) return &e;
        }
        return nullptr;
    }

    // The dotted path of `key` read in an object at `node`: the keys that lead there, then it.
    [[nodiscard]] std::string path(std::uint32_t node, std::string_view key) const {
        std::string out(key);
        for (std::uint32_t at = node; nodes[at].parent != none; at = nodes[at].parent)
            out.insert(0, nodes[nodes[at].parent].entries[nodes[at].parent_entry].key + '.');
        return out;
    }
};

struct JsonRecordReader::Impl {
    Flow flow;
    JsonOptions options;
    simdjson::dom::parser parser;
    std::string padded;  // the line plus simdjson's padding, reused between reads
    KeyTree keys;
    std::vector<FieldValue> values;
    std::vector<std::uint32_t> set_in;  // per slot: the read that set it (duplicate keys)
    std::uint32_t reads = 0;
    std::uint32_t keys_seen = 0;
    std::span<const Field> fields;  // the flow's, looked up once: set() reads a field's type per value
    std::string id;
    std::string error;

    Impl(Flow f, JsonOptions o)
        : flow(std::move(f)), options(std::move(o)), values(flow.fields().size()), set_in(flow.fields().size(), 0) {
        // Sets the depth limit; parse() grows the capacity later as lines need it (and reports
        // a failure to allocate as an error of that line).
        simdjson::error_code allocated = parser.allocate(4096, std::max<std::uint32_t>(options.max_depth, 1));
        static_cast<void>(allocated);
        for (std::uint32_t i = 0; i < flow.fields().size(); ++i) keys.add(flow.fields()[i].name, i);
        for (const auto& [key, field] : options.renames) {
            auto slot = flow.find_field(field);
            if (slot) keys.add(key, *slot);
        }
        keys.finish();
        fields = flow.fields();
    }

    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }

    // RFC 3339 writes an offset with a colon; many exports write "+0000", which a pattern reads.
    [[gnu::cold]] static std::string offset_hint(std::string_view text, std::string_view field) {
        const auto digit = [](char c) { return c >= '0' && c <= '9'; };
        const std::size_t n = text.size();
        if (n < 16 || (text[n - 5] != '+' && text[n - 5] != '-') || !std::all_of(text.end() - 4, text.end(), digit) ||
            text.find(':') == std::string_view::npos)
            return {};
        return fmt::format("; RFC 3339 writes the offset as {}:{}: for {} read it with a pattern, e.g. "
                           "--time-format '{}=%Y-%m-%d{}%H:%M:%S{}%z'",
                           text.substr(n - 5, 3), text.substr(n - 2), text.substr(n - 5), field,
                           text[10] == ' ' ? " " : "T", text[n - 6] == ' ' ? " " : "");
    }

    // How to read a time the default format does not: the offset hint, else a pattern for the
    // flow's field (not the export's key, which --time-format does not take).
    [[gnu::cold]] static std::string format_hint(std::string_view text, std::string_view field) {
        std::string hint = offset_hint(text, field);
        if (hint.empty())
            hint = fmt::format("; read another format with --time-format '{}=PATTERN' (patterns: docs/language.md, "
                               "\"Time formats\")",
                               field);
        return hint;
    }

    // Why a value does not fit its field. Cold and out of line: the reading loop stays small.
    [[gnu::cold, gnu::noinline]] bool wrong_type(std::uint32_t slot, simdjson::dom::element value, std::uint32_t node,
                                                 std::string_view key, std::string_view expected) {
        const Field& f = fields[slot];
        const std::string path = keys.path(node, key);
        std::string message = fmt::format("'{}' must be {} for field '{}' ({}), not {}", path, expected, f.name,
                                          to_string(f.type), json_type_name(value.type()));
        if (value.type() == simdjson::dom::element_type::STRING)
            message += text_value_hint(value.get_string().value_unsafe(), f.type, path);
        if (value.type() == simdjson::dom::element_type::ARRAY) message += array_hint(f.type, path);
        return fail(std::move(message));
    }
    [[gnu::cold, gnu::noinline]] bool not_whole(std::uint32_t slot, double number, std::uint32_t node, std::string_view key) {
        return fail(fmt::format("'{}' must be a whole number for field '{}' (integer), not {}", keys.path(node, key),
                                fields[slot].name, number));
    }

    // Reads the value of `key`, in an object at tree node `node`, into field `slot`. parse() has
    // set every value to missing() and visit() lets a slot be set once per read (a second key is
    // an error), so only the kind and the member that holds the value are written: a whole
    // FieldValue is 40 bytes, copied through the stack.
    bool set(std::uint32_t slot, simdjson::dom::element value, std::uint32_t node, std::string_view key) {
        using T = simdjson::dom::element_type;
        const FieldType wanted = fields[slot].type;
        const T type = value.type();
        if (type == T::NULL_VALUE) return true;  // stays missing
        FieldValue& v = values[slot];
        switch (wanted) {
        case FieldType::text:
        case FieldType::enumeration:
            if (type != T::STRING) return wrong_type(slot, value, node, key, "a string");
            v.kind = ValueKind::text;
            v.text = value.get_string().value_unsafe();
            return true;
        case FieldType::number:
        case FieldType::integer: {
            if (type != T::INT64 && type != T::UINT64 && type != T::DOUBLE)
                return wrong_type(slot, value, node, key, wanted == FieldType::integer ? "a whole number" : "a number");
            const double number = number_of(value, type);
            // 12.0 is a whole number; 2.5 is not one, for an integer field.
            if (type == T::DOUBLE && wanted == FieldType::integer && number != std::floor(number))
                return not_whole(slot, number, node, key);
            v.number = number;
            v.kind = ValueKind::number;
            return true;
        }
        case FieldType::boolean:
            if (type != T::BOOL) return wrong_type(slot, value, node, key, "true or false");
            v.kind = ValueKind::boolean;
            v.boolean = value.get_bool().value_unsafe();
            return true;
        case FieldType::time: return set_time(slot, value, node, key);
        }
        return true;
    }

    bool set_time(std::uint32_t slot, simdjson::dom::element value, std::uint32_t node, std::string_view key) {
        using T = simdjson::dom::element_type;
        const T type = value.type();
        auto dotted_path = [&] { return keys.path(node, key); };
        static const detail::TimeFormat rfc3339_or_seconds;
        const auto& formats = detail::data_of(flow).time_formats;
        const detail::TimeFormat& format = slot < formats.size() ? formats[slot] : rfc3339_or_seconds;
        if (type == T::STRING) {
            std::string_view text = value.get_string().value_unsafe();
            TimePoint t;
            if (!format.parse(text, t)) {
                if (format.is_default())
                    return fail(fmt::format("'{}' is not a date-time such as 2026-11-22T09:30:00Z: \"{}\"{}", dotted_path(),
                                            quoted_text(text), format_hint(text, fields[slot].name)));
                return fail(fmt::format("'{}' does not match its time format \"{}\": \"{}\"", dotted_path(), format.spec(),
                                        quoted_text(text)));
            }
            values[slot].kind = ValueKind::time;  // by member, as set() writes (parse() set it missing)
            values[slot].time = t;
            return true;
        }
        double number = 0;
        if (type == T::INT64) number = static_cast<double>(value.get_int64().value_unsafe());
        else if (type == T::UINT64) number = static_cast<double>(value.get_uint64().value_unsafe());
        else if (type == T::DOUBLE) number = value.get_double().value_unsafe();
        if (!format.accepts_numbers() || (type != T::INT64 && type != T::UINT64 && type != T::DOUBLE))
            return wrong_type(slot, value, node, key,
                              format.is_default()        ? "a date-time string or seconds since 1970"
                              : format.accepts_numbers() ? (format.spec() == "unix_ms" ? "milliseconds since 1970"
                                                                                       : "seconds since 1970")
                                                         : "a string in its time format");
        if (format.spec() == "unix_ms" && number != std::floor(number))
            return fail(fmt::format("'{}' must be whole milliseconds since 1970, not {}", dotted_path(), number));
        auto t = format.from_number(number);
        if (!t) {
            // Exports often count milliseconds (JavaScript's Date.now()): say how to read them.
            const bool milliseconds = format.spec() != "unix_ms" && format.from_number(number / 1000).has_value();
            return fail(fmt::format("'{}' is out of range for a date-time: {} {} since 1970{}", dotted_path(), number,
                                    format.spec() == "unix_ms" ? "milliseconds" : "seconds",
                                    milliseconds ? fmt::format("; if it counts milliseconds, read it with "
                                                               "--time-format {}=unix_ms or `time \"unix_ms\"` in the flow",
                                                               fields[slot].name)
                                                 : std::string()));
        }
        values[slot] = FieldValue::of_time(*t);
        return true;
    }

    // The id as JSON text; scalars are written here so that no string is allocated per line.
    void capture_id(simdjson::dom::element value) {
        using T = simdjson::dom::element_type;
        switch (value.type()) {
        case T::STRING: {
            std::string_view text = value.get_string().value_unsafe();
            auto plain = [](char c) { return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20; };
            std::size_t first_escape = 0;
            while (first_escape < text.size() && plain(text[first_escape])) ++first_escape;
            if (first_escape == text.size()) {  // the usual id: quoted as it is, in one resize and copy
                id.resize(text.size() + 2);
                id.front() = '"';
                std::memcpy(id.data() + 1, text.data(), text.size());
                id.back() = '"';
                break;
            }
            id += '"';
            // Runs that need no escape are copied whole: ids are mostly such runs.
            std::size_t run = 0;
            for (std::size_t i = first_escape; i < text.size(); ++i) {
                const char c = text[i];
                if (plain(c)) continue;
                id.append(text, run, i - run);
                run = i + 1;
                if (c == '"' || c == '\\') {
                    id += '\\';
                    id += c;
                } else {
                    fmt::format_to(std::back_inserter(id), "\\u{:04x}", static_cast<unsigned>(c));
                }
            }
            id.append(text, run);
            id += '"';
            break;
        }
        case T::INT64: fmt::format_to(std::back_inserter(id), "{}", value.get_int64().value_unsafe()); break;
        case T::UINT64: fmt::format_to(std::back_inserter(id), "{}", value.get_uint64().value_unsafe()); break;
        case T::DOUBLE: fmt::format_to(std::back_inserter(id), "{}", value.get_double().value_unsafe()); break;
        default: id = simdjson::minify(value); break;
        }
    }

    bool visit(simdjson::dom::object object, std::uint32_t node) {
        const std::string_view id_key = options.id_key;
        for (auto [key, value] : object) {
            if (node == 0 && key.size() == id_key.size() && same_bytes(key.data(), id_key.data(), key.size())) {
                id.clear();
                capture_id(value);
            }
            if (++keys_seen > options.max_keys)
                return fail(fmt::format("more than {} keys (limit: fields)", options.max_keys));
            const KeyTree::Entry* e = keys.find(node, key);
            if (e == nullptr) continue;
            bool ok = true;
            if (e->slot != KeyTree::none) {
                if (set_in[e->slot] == reads) return fail(fmt::format("key '{}' appears twice", keys.path(node, key)));
                set_in[e->slot] = reads;
                ok = set(e->slot, value, node, key);
            }
            else if (value.type() == simdjson::dom::element_type::OBJECT) ok = visit(value.get_object().value_unsafe(), e->child);
            else if (value.type() != simdjson::dom::element_type::NULL_VALUE)  // null: the fields below are missing
                return fail(fmt::format("'{}' must be an object (the flow reads fields inside it), not {}",
                                        keys.path(node, key), json_type_name(value.type())));
            if (!ok) return false;
        }
        return true;
    }

    bool parse(const char* data, std::size_t size) {
        error.clear();
        id.clear();
        keys_seen = 0;
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
        simdjson::dom::element root;
        if (auto e = parser.parse(data, size, false).get(root); e != simdjson::SUCCESS) {
            if (e == simdjson::DEPTH_ERROR)
                return fail(fmt::format("objects and arrays nested more than {} deep (limit: json-depth)", options.max_depth));
            return fail(fmt::format("invalid JSON: {}", simdjson::error_message(e)));
        }
        simdjson::dom::object object;
        if (root.get(object) != simdjson::SUCCESS) return fail("a mention must be a JSON object");
        return visit(object, 0);
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
