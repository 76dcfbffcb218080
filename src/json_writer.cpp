#include "triage/json_writer.hpp"

#include <fmt/format.h>

namespace triage {

JsonWriter& JsonWriter::number(double value) {
    separate();
    char digits[64];
    auto result = fmt::format_to_n(digits, sizeof digits, "{}", value);
    out_.append(digits, result.size);
    return *this;
}

}  // namespace triage
