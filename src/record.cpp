#include "triage/record.hpp"

#include <stdexcept>

namespace triage {

Record::Record(const Flow& flow) : flow_(flow), values_(flow.fields().size()), texts_(flow.fields().size()) {}

std::uint32_t Record::slot(std::string_view field, ValueKind kind) const {
    auto index = flow_.find_field(field);
    if (!index) throw std::invalid_argument("the flow has no field '" + std::string(field) + "'");
    if (kind == ValueKind::missing) return *index;
    const Field& f = flow_.fields()[*index];
    bool ok = false;
    switch (f.type) {
    case FieldType::text: ok = kind == ValueKind::text; break;
    case FieldType::number:
    case FieldType::integer: ok = kind == ValueKind::number; break;
    case FieldType::boolean: ok = kind == ValueKind::boolean; break;
    case FieldType::time: ok = kind == ValueKind::time; break;
    case FieldType::enumeration: ok = kind == ValueKind::text || kind == ValueKind::enumeration; break;
    }
    if (!ok)
        throw std::invalid_argument("field '" + f.name + "' is declared as " + std::string(to_string(f.type)) +
                                    "; the value given is of another type");
    return *index;
}

Record& Record::set(std::string_view field, std::string_view text) {
    std::uint32_t s = slot(field, ValueKind::text);
    texts_[s].assign(text);
    values_[s] = FieldValue::of_text(texts_[s]);
    return *this;
}

Record& Record::set(std::string_view field, double number) {
    values_[slot(field, ValueKind::number)] = FieldValue::of_number(number);
    return *this;
}

Record& Record::set_bool(std::string_view field, bool value) {
    values_[slot(field, ValueKind::boolean)] = FieldValue::of_bool(value);
    return *this;
}

Record& Record::set(std::string_view field, TimePoint time) {
    values_[slot(field, ValueKind::time)] = FieldValue::of_time(time);
    return *this;
}

Record& Record::set(std::string_view field, const FieldValue& value) {
    if (value.kind == ValueKind::text) return set(field, value.text);
    values_[slot(field, value.kind)] = value;
    return *this;
}

void Record::clear_all() noexcept {
    for (FieldValue& v : values_) v = FieldValue::missing();
}

FieldValue Record::get(const void* self, std::uint32_t slot, const void*) noexcept {
    const Record& record = *static_cast<const Record*>(self);
    FieldValue value = record.values_[slot];
    // Text points at this record's own copy, so copies of a Record never share storage.
    if (value.kind == ValueKind::text) value.text = record.texts_[slot];
    return value;
}

}  // namespace triage
