// describe: how a model lists its fields once (STYLE.md #9).
//
//   struct role_tags {
//     std::optional<snowflake> bot_id;
//     std::optional<nullable<bool>> premium_subscriber;
//     SPECTACLES_FIELDS(role_tags, bot_id, premium_subscriber)
//   };
//
// The list is a tuple of (JSON name, member pointer); the JSON codec (models/json.hpp) and the
// operator== below walk it, so a field added to the list is decoded, encoded and compared.
// Field wrappers keep the difference Discord makes (PROTOCOL.md §2.14):
//   T                          always sent; a missing key decodes to T{}
//   std::optional<T>           `field?`  may be absent (a JSON null also reads as absent)
//   nullable<T>                `?type`   may be null; encoded as null when empty
//   std::optional<nullable<T>> both: absent, null, or a value survive decode + encode
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace spectacles::models {

/// A value that may be JSON null (Discord's `?type`).
template <class T>
class nullable {
public:
  using value_type = T;

  nullable() = default;
  nullable(std::nullopt_t) {}
  nullable(T value) : value_(std::move(value)) {}
  template <class U,
            class = std::enable_if_t<
              std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, nullable>>>
  nullable(U&& value) : value_(std::forward<U>(value)) {}

  bool is_null() const {
    return !value_.has_value();
  }
  bool has_value() const {
    return value_.has_value();
  }
  explicit operator bool() const {
    return value_.has_value();
  }
  T& operator*() {
    return *value_;
  }
  const T& operator*() const {
    return *value_;
  }
  T* operator->() {
    return &*value_;
  }
  const T* operator->() const {
    return &*value_;
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    return value_.emplace(std::forward<Args>(args)...);
  }
  void reset() {
    value_.reset();
  }
  template <class U>
  T value_or(U&& fallback) const {
    return value_.value_or(std::forward<U>(fallback));
  }

  friend bool operator==(const nullable& a, const nullable& b) {
    return a.value_ == b.value_;
  }

private:
  std::optional<T> value_;
};

/// An optional whose value lives on the heap: for large members that are usually absent (a
/// message's `thread` is a whole channel, its `interaction` carries a user and a member). A
/// std::optional would keep their bytes inside every object whether present or not, and the
/// decoder builds and destroys that object for every event: a MESSAGE_CREATE was 9 KB, two
/// thirds of it members that are almost never sent. Reads like std::optional: `if (m.thread)`,
/// `m.thread->name`, `*m.thread`, `has_value()`, `value_or()`, `emplace()`, `reset()`.
template <class T>
class heap_optional {
public:
  using value_type = T;

  heap_optional() = default;
  heap_optional(std::nullopt_t) {}
  heap_optional(T value) : ptr_(std::make_unique<T>(std::move(value))) {}
  heap_optional(const heap_optional& other)
      : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  heap_optional(heap_optional&&) noexcept = default;
  heap_optional& operator=(const heap_optional& other) {
    if (this != &other)
      ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  heap_optional& operator=(heap_optional&&) noexcept = default;
  heap_optional& operator=(std::nullopt_t) {
    ptr_.reset();
    return *this;
  }
  ~heap_optional() = default;

  bool has_value() const {
    return ptr_ != nullptr;
  }
  explicit operator bool() const {
    return ptr_ != nullptr;
  }
  T& operator*() {
    return *ptr_;
  }
  const T& operator*() const {
    return *ptr_;
  }
  T* operator->() {
    return ptr_.get();
  }
  const T* operator->() const {
    return ptr_.get();
  }
  T& value() {
    if (!ptr_)
      throw std::bad_optional_access{};
    return *ptr_;
  }
  const T& value() const {
    if (!ptr_)
      throw std::bad_optional_access{};
    return *ptr_;
  }
  template <class U>
  T value_or(U&& fallback) const {
    return ptr_ ? *ptr_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    ptr_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *ptr_;
  }
  void reset() {
    ptr_.reset();
  }

  friend bool operator==(const heap_optional& a, const heap_optional& b) {
    if (!a.ptr_ || !b.ptr_)
      return !a.ptr_ && !b.ptr_;
    return *a.ptr_ == *b.ptr_;
  }
  friend bool operator==(const heap_optional& a, std::nullopt_t) {
    return !a.ptr_;
  }

private:
  std::unique_ptr<T> ptr_;
};

/// A heap-held value that is always there, for models that contain themselves (a message's
/// `referenced_message` is a message): a heap_optional engaged from construction on. A
/// moved-from box is only assigned to or destroyed.
template <class T>
class box : public heap_optional<T> {
public:
  box() {
    this->emplace();
  }
  box(T value) : heap_optional<T>(std::move(value)) {}
};

/// Converts to a default-initialised T: `opt.emplace(default_init<T>{})` builds a T in place
/// without value-initialising it. Value-initialising a class whose constructor is implicit
/// zeroes the whole object before running it (8 KB for a message, 13 KB for an event payload),
/// and every model gives its scalar members an initialiser, so both give the same value
/// (tests/models/edge_cases.cpp checks it for every model reachable from an event).
template <class T>
struct default_init {
  operator T() const {
    T value; // NOLINT: default-initialised on purpose
    return value;
  }
};

template <class C, class M>
struct field_desc {
  std::string_view name;
  M C::*member;
};

// Spelled out because clang before 17 has no deduction for aggregates.
template <class C, class M>
field_desc(std::string_view, M C::*) -> field_desc<C, M>;

template <class T>
concept described = requires {
  T::fields();
};

/// Equality of two models of the same type, field by field from the list.
template <described T>
bool operator==(const T& a, const T& b) {
  return std::apply(
    [&](const auto&... f) {
      return ((a.*(f.member) == b.*(f.member)) && ...);
    },
    T::fields());
}

} // namespace spectacles::models

// A for-each over up to 256 macro arguments (C++20 __VA_OPT__).
#define SPECTACLES_PARENS ()
#define SPECTACLES_EXPAND(...)                                                                     \
  SPECTACLES_EXPAND4(SPECTACLES_EXPAND4(SPECTACLES_EXPAND4(SPECTACLES_EXPAND4(__VA_ARGS__))))
#define SPECTACLES_EXPAND4(...)                                                                    \
  SPECTACLES_EXPAND3(SPECTACLES_EXPAND3(SPECTACLES_EXPAND3(SPECTACLES_EXPAND3(__VA_ARGS__))))
#define SPECTACLES_EXPAND3(...)                                                                    \
  SPECTACLES_EXPAND2(SPECTACLES_EXPAND2(SPECTACLES_EXPAND2(SPECTACLES_EXPAND2(__VA_ARGS__))))
#define SPECTACLES_EXPAND2(...)                                                                    \
  SPECTACLES_EXPAND1(SPECTACLES_EXPAND1(SPECTACLES_EXPAND1(SPECTACLES_EXPAND1(__VA_ARGS__))))
#define SPECTACLES_EXPAND1(...) __VA_ARGS__
#define SPECTACLES_FOR_EACH(macro, ...)                                                            \
  __VA_OPT__(SPECTACLES_EXPAND(SPECTACLES_FOR_EACH_HELPER(macro, __VA_ARGS__)))
#define SPECTACLES_FOR_EACH_HELPER(macro, a1, ...)                                                 \
  macro(a1) __VA_OPT__(SPECTACLES_FOR_EACH_AGAIN SPECTACLES_PARENS(macro, __VA_ARGS__))
#define SPECTACLES_FOR_EACH_AGAIN() SPECTACLES_FOR_EACH_HELPER
#define SPECTACLES_FIELD_DESC(m) ::spectacles::models::field_desc{ #m, &self_type::m },

/// Lists the fields of `type` after those of its base `base` (an event = an object + a few fields).
#define SPECTACLES_FIELDS_EXTEND(type, base, ...)                                                  \
  static constexpr auto fields() {                                                                 \
    using self_type = type;                                                                        \
    return std::tuple_cat(base::fields(),                                                          \
                          std::tuple{ SPECTACLES_FOR_EACH(SPECTACLES_FIELD_DESC, __VA_ARGS__) });  \
  }

/// Lists the fields of `type`; each JSON key is the member's name.
#define SPECTACLES_FIELDS(type, ...)                                                               \
  static constexpr auto fields() {                                                                 \
    using self_type = type;                                                                        \
    return std::tuple{ SPECTACLES_FOR_EACH(SPECTACLES_FIELD_DESC, __VA_ARGS__) };                  \
  }
