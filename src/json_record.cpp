#include "triage/json.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <unordered_map>

namespace triage {

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

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

}  // namespace

struct JsonRecordReader::Impl {
    Flow flow;
    JsonOptions options;
    simdjson::dom::parser parser;
    std::string padded;  // the line plus simdjson's padding, reused between reads
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> slots;
    std::vector<FieldValue> values;
    std::string path;  // the dotted key being visited
    std::string id;
    std::string error;

    Impl(Flow f, JsonOptions o) : flow(std::move(f)), options(std::move(o)), values(flow.fields().size()) {
        for (std::uint32_t i = 0; i < flow.fields().size(); ++i) slots.emplace(flow.fields()[i].name, i);
        for (const auto& [key, field] : options.renames) {
            auto slot = flow.find_field(field);
            if (slot) slots[key] = *slot;
        }
    }

    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }

    bool set(std::uint32_t slot, simdjson::dom::element value) {
        using T = simdjson::dom::element_type;
        const Field& f = flow.fields()[slot];
        T type = value.type();
        if (type == T::NULL_VALUE) {
            values[slot] = FieldValue::missing();
            return true;
        }
        auto wrong = [&](std::string_view expected) {
            return fail(fmt::format("'{}' must be {} for field '{}' ({}), not {}", path, expected, f.name,
                                    to_string(f.type), json_type_name(type)));
        };
        switch (f.type) {
        case FieldType::text:
        case FieldType::enumeration:
            if (type != T::STRING) return wrong("a string");
            values[slot] = FieldValue::of_text(value.get_string().value_unsafe());
            return true;
        case FieldType::number:
        case FieldType::integer:
            if (type == T::INT64) values[slot] = FieldValue::of_number(static_cast<double>(value.get_int64().value_unsafe()));
            else if (type == T::UINT64) values[slot] = FieldValue::of_number(static_cast<double>(value.get_uint64().value_unsafe()));
            else if (type == T::DOUBLE) values[slot] = FieldValue::of_number(value.get_double().value_unsafe());
            else return wrong("a number");
            return true;
        case FieldType::boolean:
            if (type != T::BOOL) return wrong("true or false");
            values[slot] = FieldValue::of_bool(value.get_bool().value_unsafe());
            return true;
        case FieldType::time: {
            if (type == T::STRING) {
                std::string_view text = value.get_string().value_unsafe();
                auto t = parse_time(text);
                if (!t) return fail(fmt::format("'{}' is not a date-time such as 2026-11-22T09:30:00Z: \"{}\"", path, text));
                values[slot] = FieldValue::of_time(*t);
                return true;
            }
            double seconds = 0;
            if (type == T::INT64) seconds = static_cast<double>(value.get_int64().value_unsafe());
            else if (type == T::UINT64) seconds = static_cast<double>(value.get_uint64().value_unsafe());
            else if (type == T::DOUBLE) seconds = value.get_double().value_unsafe();
            else return wrong("a date-time string or seconds since 1970");
            values[slot] = FieldValue::of_time(TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000))));
            return true;
        }
        }
        return true;
    }

    // The id as JSON text; scalars are written here so that no string is allocated per line.
    void capture_id(simdjson::dom::element value) {
        using T = simdjson::dom::element_type;
        switch (value.type()) {
        case T::STRING: {
            std::string_view text = value.get_string().value_unsafe();
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
            break;
        }
        case T::INT64: fmt::format_to(std::back_inserter(id), "{}", value.get_int64().value_unsafe()); break;
        case T::UINT64: fmt::format_to(std::back_inserter(id), "{}", value.get_uint64().value_unsafe()); break;
        case T::DOUBLE: fmt::format_to(std::back_inserter(id), "{}", value.get_double().value_unsafe()); break;
        default: id = simdjson::minify(value); break;
        }
    }

    bool visit(simdjson::dom::object object) {
        const bool top_level = path.empty();
        for (auto [key, value] : object) {
            if (top_level && key == options.id_key) {
                id.clear();
                capture_id(value);
            }
            std::size_t mark = path.size();
            if (!path.empty()) path += '.';
            path.append(key.data(), key.size());
            auto slot = slots.find(std::string_view(path));
            bool ok = true;
            if (slot != slots.end()) ok = set(slot->second, value);
            else if (value.type() == simdjson::dom::element_type::OBJECT) ok = visit(value.get_object().value_unsafe());
            if (!ok) return false;
            path.resize(mark);
        }
        return true;
    }

    bool read(std::string_view json) {
        error.clear();
        id.clear();
        std::fill(values.begin(), values.end(), FieldValue::missing());
        padded.assign(json);
        padded.append(simdjson::SIMDJSON_PADDING, '\0');
        simdjson::dom::element root;
        if (auto e = parser.parse(padded.data(), json.size(), false).get(root); e != simdjson::SUCCESS)
            return fail(fmt::format("invalid JSON: {}", simdjson::error_message(e)));
        simdjson::dom::object object;
        if (root.get(object) != simdjson::SUCCESS) return fail("a mention must be a JSON object");
        path.clear();
        return visit(object);
    }
};

JsonRecordReader::JsonRecordReader(Flow flow, JsonOptions options)
    : impl_(std::make_unique<Impl>(std::move(flow), std::move(options))) {}
JsonRecordReader::~JsonRecordReader() = default;
JsonRecordReader::JsonRecordReader(JsonRecordReader&&) noexcept = default;
JsonRecordReader& JsonRecordReader::operator=(JsonRecordReader&&) noexcept = default;

bool JsonRecordReader::read(std::string_view json) { return impl_->read(json); }
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

// ---- times and durations ------------------------------------------------------------------

std::optional<TimePoint> parse_time(std::string_view s) noexcept {
    std::size_t i = 0;
    auto digits = [&](std::size_t n, int& out) {
        if (i + n > s.size()) return false;
        out = 0;
        for (std::size_t k = 0; k < n; ++k) {
            char c = s[i + k];
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        i += n;
        return true;
    };
    auto expect = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(4, year) || !expect('-') || !digits(2, month) || !expect('-') || !digits(2, day)) return std::nullopt;
    if (!(expect('T') || expect('t') || expect(' '))) return std::nullopt;
    if (!digits(2, hour) || !expect(':') || !digits(2, minute) || !expect(':') || !digits(2, second)) return std::nullopt;
    std::int64_t millis = 0;
    if (expect('.')) {
        int scale = 100;
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            millis += (s[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        if (i == start) return std::nullopt;
    }
    int offset_minutes = 0;
    if (expect('Z') || expect('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh = 0, om = 0;
        if (!digits(2, oh) || !expect(':') || !digits(2, om)) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;  // a time without a zone is ambiguous
    }
    if (i != s.size()) return std::nullopt;
    using namespace std::chrono;
    year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    sys_days days(date);
    return TimePoint(duration_cast<milliseconds>(days.time_since_epoch()) + hours(hour) + minutes(minute) +
                     seconds(second) + milliseconds(millis) - minutes(offset_minutes));
}

std::string format_time(TimePoint time) {
    using namespace std::chrono;
    sys_days days = floor<std::chrono::days>(time);
    year_month_day date(days);
    auto rest = time - days;
    auto h = duration_cast<hours>(rest);
    auto m = duration_cast<minutes>(rest - h);
    auto s = duration_cast<seconds>(rest - h - m);
    auto ms = duration_cast<milliseconds>(rest - h - m - s);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), h.count(),
                                  m.count(), s.count());
    if (ms.count() != 0) out += fmt::format(".{:03}", ms.count());
    return out + "Z";
}

std::string format_duration(Duration duration) {
    std::int64_t s = duration.count();
    struct Unit {
        std::int64_t seconds;
        char name;
    };
    static constexpr Unit units[] = {{604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    std::string out;
    for (const Unit& u : units) {
        if (s >= u.seconds) {
            if (!out.empty()) out += ' ';
            out += fmt::format("{}{}", s / u.seconds, u.name);
            s %= u.seconds;
        }
    }
    return out.empty() ? "0s" : out;
}

}  // namespace triage
