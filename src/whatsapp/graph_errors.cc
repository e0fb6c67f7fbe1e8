#include "whatsapp/graph_errors.h"

#include <nlohmann/json.hpp>
#include <set>

#include "whatsapp/json_fields.h"

namespace chatshop::whatsapp {
namespace {

// docs/cloud-api.md §7, "retry?" = yes.
const std::set<int64_t>& TransientCodes() {
  static const std::set<int64_t> codes = {1, 2, 4, 80007, 131000, 131016, 131057, 133004};
  return codes;
}

// Throughput, pair-rate and spam limits: retry later, slower.
const std::set<int64_t>& RateLimitCodes() {
  static const std::set<int64_t> codes = {130429, 131056, 131048};
  return codes;
}

}  // namespace

bool IsUncertainSend(const Error& error) { return error.message.rfind(kUncertainSend, 0) == 0; }

bool IsWindowClosed(const Error& error) {
  return error.message.rfind("graph api error 131047", 0) == 0;
}

Error ClassifyGraphError(int http_status, std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool has_error =
      parsed.is_object() && parsed.contains("error") && parsed["error"].is_object();
  if (!has_error) {
    std::string message = "graph api http " + std::to_string(http_status) + " without error body";
    if (http_status == 429) return {ErrorCode::kResourceExhausted, message};
    if (http_status >= 500 || http_status <= 0) return {ErrorCode::kUnavailable, message};
    if (http_status == 401) return {ErrorCode::kUnauthenticated, message};
    return {ErrorCode::kFailedPrecondition, message};
  }
  const auto& error = parsed["error"];
  const int64_t code = IntField(error, "code", -1);
  std::string message = "graph api error " + std::to_string(code);
  if (std::string text = StringField(error, "message"); !text.empty()) message += ": " + text;
  if (code == 0 || code == 190) return {ErrorCode::kUnauthenticated, message};
  if (RateLimitCodes().count(code)) return {ErrorCode::kResourceExhausted, message};
  if (TransientCodes().count(code) || BoolField(error, "is_transient", false)) {
    return {ErrorCode::kUnavailable, message};
  }
  if (code == -1 && http_status >= 500) return {ErrorCode::kUnavailable, message};
  if (code == 10 || code == 200 || code == 131005 || code == 131031 || code == 368) {
    return {ErrorCode::kPermissionDenied, message};
  }
  return {ErrorCode::kFailedPrecondition, message};
}

}  // namespace chatshop::whatsapp
