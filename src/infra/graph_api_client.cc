#include "infra/graph_api_client.h"

#include <httplib.h>

#include "common/url.h"
#include "whatsapp/graph_errors.h"

namespace chatshop::infra {

GraphApiClient::GraphApiClient(GraphApiSettings settings) : settings_(std::move(settings)) {
  // httplib wants "scheme://host:port"; a path after it becomes our prefix.
  common::UrlParts url = common::SplitUrl(settings_.base_url);
  path_prefix_ = url.path;
  std::string origin = url.origin;
  client_ = std::make_unique<httplib::Client>(origin);
  client_->set_tcp_nodelay(true);
  client_->set_keep_alive(true);
  const time_t sec = settings_.timeout_ms / 1000;
  const time_t usec = (settings_.timeout_ms % 1000) * 1000;
  client_->set_connection_timeout(sec, usec);
  client_->set_read_timeout(sec, usec);
  client_->set_write_timeout(sec, usec);
}

GraphApiClient::~GraphApiClient() = default;

Result<std::string> GraphApiClient::SendMessage(const std::string& phone_number_id,
                                                const std::string& access_token,
                                                const nlohmann::json& payload) {
  const std::string path =
      path_prefix_ + "/" + settings_.version + "/" + phone_number_id + "/messages";
  httplib::Headers headers = {{"Authorization", "Bearer " + access_token}};
  std::lock_guard lock(mutex_);
  auto response = client_->Post(path.c_str(), headers, payload.dump(), "application/json");
  if (!response) {
    // No answer at all: Meta may or may not have accepted it (§5.1: no idempotency key).
    return MakeError(ErrorCode::kUnavailable,
                     "graph api unreachable: " + httplib::to_string(response.error()));
  }
  if (response->status != 200) return tl::unexpected(whatsapp::ClassifyGraphError(response->status, response->body));
  auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("messages") && body["messages"].is_array() &&
      !body["messages"].empty() && body["messages"][0].contains("id") &&
      body["messages"][0]["id"].is_string()) {
    return body["messages"][0]["id"].get<std::string>();
  }
  return MakeError(ErrorCode::kInternal, "graph api answered 200 without a message id");
}

}  // namespace chatshop::infra
