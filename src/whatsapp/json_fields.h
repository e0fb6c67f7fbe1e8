#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace chatshop::whatsapp {

// Type-checked reads from JSON that came from outside (Meta, the Graph API, a proxy): a missing
// key or a value of another type gives the fallback instead of an exception.

inline std::string StringField(const nlohmann::json& object, const char* key,
                               const std::string& fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline int64_t IntField(const nlohmann::json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

inline double NumberField(const nlohmann::json& object, const char* key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

inline bool BoolField(const nlohmann::json& object, const char* key, bool fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// The object under `key`, or a null JSON when absent or not an object.
inline const nlohmann::json& ObjectField(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kNull;
}

}  // namespace chatshop::whatsapp
