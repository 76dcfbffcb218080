// How the host hands a mention to the evaluator. Three ways, one RecordView underneath:
//  - Record: set fields by name; owns its values. Convenient; use it for tests and glue code.
//  - Binding<T>: describe your own struct once (member pointers or lambdas); no copying at all.
//  - JsonRecordReader (json.hpp): a JSON object, nested objects mapped to dotted names.
#pragma once

#include "triage/flow.hpp"
#include "triage/value.hpp"

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace triage {

// A mention as seen through one getter; borrows the object and the getter's context.
class RecordView {
public:
    using Getter = FieldValue (*)(const void* object, std::uint32_t slot, const void* context) noexcept;

    constexpr RecordView(const void* object, Getter getter, const void* context) noexcept
        : object_(object), getter_(getter), context_(context) {}

    // The value of the flow field with index `slot` (Flow::fields()).
    [[nodiscard]] FieldValue get(std::uint32_t slot) const noexcept { return getter_(object_, slot, context_); }

private:
    const void* object_;
    Getter getter_;
    const void* context_;
};

// A mention built field by field. Setting a name the flow does not declare, or a value of the
// wrong type, throws std::invalid_argument: that is a programming error in the host.
class Record {
public:
    explicit Record(const Flow& flow);

    Record& set(std::string_view field, std::string_view text);
    Record& set(std::string_view field, const char* text) { return set(field, std::string_view(text)); }
    Record& set(std::string_view field, const std::string& text) { return set(field, std::string_view(text)); }
    Record& set(std::string_view field, double number);
    Record& set(std::string_view field, std::integral auto number) {
        if constexpr (std::is_same_v<decltype(number), bool>) return set_bool(field, number);
        else return set(field, static_cast<double>(number));
    }
    Record& set(std::string_view field, TimePoint time);
    // Any value, including FieldValue::of_enum(index) and FieldValue::missing().
    Record& set(std::string_view field, const FieldValue& value);
    Record& clear(std::string_view field) { return set(field, FieldValue::missing()); }
    void clear_all() noexcept;

    [[nodiscard]] RecordView view() const noexcept { return {this, &get, nullptr}; }

private:
    Record& set_bool(std::string_view field, bool value);
    std::uint32_t slot(std::string_view field, ValueKind kind) const;
    static FieldValue get(const void* self, std::uint32_t slot, const void*) noexcept;

    Flow flow_;
    std::vector<FieldValue> values_;
    std::vector<std::string> texts_;  // owned text, one per slot
};

// ---- binding a host struct --------------------------------------------------------------

namespace detail {

template <typename>
inline constexpr bool is_optional = false;
template <typename V>
inline constexpr bool is_optional<std::optional<V>> = true;
template <typename>
inline constexpr bool is_time_point = false;
template <typename D>
inline constexpr bool is_time_point<std::chrono::sys_time<D>> = true;

// What a host value becomes; FieldValue passes through unchecked (kind = missing here).
template <typename V>
constexpr ValueKind kind_of() {
    using U = std::remove_cvref_t<V>;
    if constexpr (is_optional<U>) return kind_of<typename U::value_type>();
    else if constexpr (std::is_same_v<U, FieldValue>) return ValueKind::missing;
    else if constexpr (std::is_same_v<U, bool>) return ValueKind::boolean;
    else if constexpr (std::is_arithmetic_v<U>) return ValueKind::number;
    else if constexpr (is_time_point<U>) return ValueKind::time;
    else if constexpr (std::is_convertible_v<const U&, std::string_view>) return ValueKind::text;
    else static_assert(sizeof(U) == 0, "a bound field must give text, a number, bool, a sys_time, "
                                       "std::optional of those, or triage::FieldValue");
}

template <typename V>
FieldValue to_field_value(const V& value) noexcept {
    using U = std::remove_cvref_t<V>;
    if constexpr (is_optional<U>) return value ? to_field_value(*value) : FieldValue::missing();
    else if constexpr (std::is_same_v<U, FieldValue>) return value;
    else if constexpr (std::is_same_v<U, bool>) return FieldValue::of_bool(value);
    else if constexpr (std::is_arithmetic_v<U>) return FieldValue::of_number(static_cast<double>(value));
    else if constexpr (is_time_point<U>)
        return FieldValue::of_time(std::chrono::time_point_cast<std::chrono::milliseconds>(value));
    else return FieldValue::of_text(std::string_view(value));
}

template <typename C, typename M>
M member_type_of(M C::*);

}  // namespace detail

struct BindingError {
    std::string field;
    std::string message;
};

// Reads a host struct T in place. Describe each flow field once:
//
//   triage::Binding<Mention> binding(flow);
//   binding.field<&Mention::text>("text")
//          .field("author.followers", [](const Mention& m) { return m.author.followers; });
//   if (!binding.ok()) ... binding.errors() ...
//   evaluator.evaluate(binding.view(mention), now, decision);
//
// Lambdas must not capture. The binding must outlive the views it makes.
template <typename T>
class Binding {
public:
    using Accessor = FieldValue (*)(const T&) noexcept;

    explicit Binding(Flow flow) : flow_(std::move(flow)), accessors_(flow_.fields().size(), nullptr) {}

    template <auto Member>
    Binding& field(std::string_view name) {
        using M = decltype(detail::member_type_of(Member));
        return add(name, detail::kind_of<M>(),
                   [](const T& object) noexcept { return detail::to_field_value(object.*Member); });
    }

    template <typename F>
        requires std::is_empty_v<F> && std::is_default_constructible_v<F> && std::is_invocable_v<const F&, const T&>
    Binding& field(std::string_view name, F) {
        using R = std::invoke_result_t<const F&, const T&>;
        return add(name, detail::kind_of<R>(),
                   [](const T& object) noexcept { return detail::to_field_value(F{}(object)); });
    }

    // Unknown names, type mismatches, and flow fields left unbound (they would always read as
    // missing). Empty when the binding covers the flow exactly.
    [[nodiscard]] std::vector<BindingError> errors() const {
        std::vector<BindingError> out = errors_;
        for (std::size_t i = 0; i < accessors_.size(); ++i)
            if (accessors_[i] == nullptr)
                out.push_back({flow_.fields()[i].name, "the flow declares '" + flow_.fields()[i].name +
                                                           "' but the binding does not provide it"});
        return out;
    }
    [[nodiscard]] bool ok() const { return errors().empty(); }

    [[nodiscard]] RecordView view(const T& object) const noexcept { return {&object, &get, this}; }

private:
    Binding& add(std::string_view name, ValueKind kind, Accessor accessor) {
        auto slot = flow_.find_field(name);
        if (!slot) {
            errors_.push_back({std::string(name), "the flow has no field '" + std::string(name) + "'"});
            return *this;
        }
        const Field& f = flow_.fields()[*slot];
        if (!accepts(f.type, kind)) {
            errors_.push_back({f.name, "field '" + f.name + "' is declared as " + std::string(to_string(f.type)) +
                                           " but the binding gives " + std::string(kind_name(kind))});
            return *this;
        }
        accessors_[*slot] = accessor;
        return *this;
    }

    static bool accepts(FieldType type, ValueKind kind) {
        if (kind == ValueKind::missing) return true;  // FieldValue: the host decides
        switch (type) {
        case FieldType::text: return kind == ValueKind::text;
        case FieldType::number:
        case FieldType::integer: return kind == ValueKind::number;
        case FieldType::boolean: return kind == ValueKind::boolean;
        case FieldType::time: return kind == ValueKind::time;
        case FieldType::enumeration: return kind == ValueKind::text;
        }
        return false;
    }
    static std::string_view kind_name(ValueKind kind) {
        switch (kind) {
        case ValueKind::text: return "text";
        case ValueKind::number: return "a number";
        case ValueKind::boolean: return "bool";
        case ValueKind::time: return "a time";
        default: return "a value";
        }
    }

    static FieldValue get(const void* object, std::uint32_t slot, const void* self) noexcept {
        Accessor accessor = static_cast<const Binding*>(self)->accessors_[slot];
        return accessor ? accessor(*static_cast<const T*>(object)) : FieldValue::missing();
    }

    Flow flow_;
    std::vector<Accessor> accessors_;
    std::vector<BindingError> errors_;
};

}  // namespace triage
