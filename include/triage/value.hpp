// One field's value for one mention, as the evaluator reads it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace triage {

// Mentions carry times in milliseconds since the Unix epoch (UTC).
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

// The instants times are kept in: the years 0000 to 9999 (UTC), those RFC 3339 can write. A time
// outside them is read as no time at all, so that no difference of two times can overflow.
inline constexpr TimePoint earliest_time{std::chrono::milliseconds(-62167219200000)};  // 0000-01-01T00:00:00Z
inline constexpr TimePoint latest_time{std::chrono::milliseconds(253402300799999)};    // 9999-12-31T23:59:59.999Z
[[nodiscard]] constexpr bool in_time_range(TimePoint t) noexcept { return t >= earliest_time && t <= latest_time; }

enum class ValueKind : std::uint8_t { missing, text, number, boolean, time, enumeration };

// A small value type. Text is borrowed: it must stay valid while the evaluation runs.
// For a `one of` field the host may pass the value's text (resolved by name) or its index in
// Field::values (no string comparison at all); an index past the end, or a text that names no
// value, means "present, but none of the declared values".
struct FieldValue {
    ValueKind kind = ValueKind::missing;
    bool boolean = false;
    std::uint32_t index = 0;  // enumeration
    double number = 0;
    TimePoint time{};
    std::string_view text;

    static constexpr FieldValue missing() noexcept { return {}; }
    static constexpr FieldValue of_text(std::string_view t) noexcept {
        FieldValue v;
        v.kind = ValueKind::text;
        v.text = t;
        return v;
    }
    static constexpr FieldValue of_number(double n) noexcept {
        FieldValue v;
        v.kind = ValueKind::number;
        v.number = n;
        return v;
    }
    static constexpr FieldValue of_bool(bool b) noexcept {
        FieldValue v;
        v.kind = ValueKind::boolean;
        v.boolean = b;
        return v;
    }
    static constexpr FieldValue of_time(TimePoint t) noexcept {
        FieldValue v;
        v.kind = ValueKind::time;
        v.time = t;
        return v;
    }
    static constexpr FieldValue of_enum(std::uint32_t value_index) noexcept {
        FieldValue v;
        v.kind = ValueKind::enumeration;
        v.index = value_index;
        return v;
    }
};

}  // namespace triage
