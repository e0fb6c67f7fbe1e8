#include "infra/graph_api_client.h"

#include <httplib.h>

#include <cctype>
#include <cstdlib>

#include "common/url.h"
#include "whatsapp/graph_errors.h"
#include "whatsapp/outbound.h"

namespace chatshop::infra {

GraphApiClient::GraphApiClient(GraphApiSettings settings) : settings_(std::move(settings)) {
  graph_origin_ = common::ParseHttpUrl(settings_.base_url);
  // httplib wants "scheme://host:port"; a path after it becomes our prefix.
  common::UrlParts url = common::SplitUrl(settings_.base_url);
  path_prefix_ = url.path;
  std::string origin = url.origin;
  client_ = std::make_unique<httplib::Client>(origin);
  client_->set_tcp_nodelay(true);
  client_->set_keep_alive(true);
  // graph.facebook.com's certificate is checked against the system's CA store (httplib's
  // default, said here so that nobody turns it off by accident); plain http (the sandbox)
  // has none to check.
  client_->enable_server_certificate_verification(true);
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
    // Not connected, or the request not fully written: Meta has not got it, a retry is safe.
    // Written but no answer read: Meta may have accepted it (docs/cloud-api.md §5.1: no idempotency
    // key).
    if (response.error() == httplib::Error::Read) {
      return MakeError(ErrorCode::kUnavailable, std::string(whatsapp::kUncertainSend) +
                                                    ": no answer after the request was sent");
    }
    return MakeError(ErrorCode::kUnavailable,
                     "graph api unreachable: " + httplib::to_string(response.error()));
  }
  if (response->status != 200)
    return tl::unexpected(whatsapp::ClassifyGraphError(response->status, response->body));
  auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("messages") && body["messages"].is_array() &&
      !body["messages"].empty() && body["messages"][0].contains("id") &&
      body["messages"][0]["id"].is_string()) {
    return body["messages"][0]["id"].get<std::string>();
  }
  // Accepted (a read receipt is not a message: Meta answers {"success": true}); without a
  // wamid, but sending it again would duplicate it.
  return std::string();
}

}  // namespace chatshop::infra

namespace chatshop::infra {

namespace {

// Ids are digits in practice; anything else is percent-encoded rather than trusted in a path.
std::string Encoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Meta reads the type from the part's MIME type; the name only has to agree with it.
std::string UploadFileName(const std::string& mime_type) {
  if (mime_type == "application/pdf") return "proof.pdf";
  if (mime_type == "image/png") return "proof.png";
  if (mime_type == "image/webp") return "proof.webp";
  return "proof.jpg";
}

Error Unreachable(const httplib::Result& response) {
  return Error{ErrorCode::kUnavailable,
               "graph api unreachable: " + httplib::to_string(response.error())};
}

}  // namespace

Result<nlohmann::json> GraphApiClient::GetJson(const std::string& path_and_query,
                                               const std::string& access_token) {
  const std::string path = path_prefix_ + "/" + settings_.version + "/" + path_and_query;
  httplib::Headers headers = {{"Authorization", "Bearer " + access_token}};
  std::lock_guard lock(mutex_);
  auto response = client_->Get(path.c_str(), headers);
  if (!response) return tl::unexpected(Unreachable(response));
  if (response->status != 200) {
    return tl::unexpected(whatsapp::ClassifyGraphError(response->status, response->body));
  }
  auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object())
    return MakeError(ErrorCode::kInternal, "graph api answered 200 without JSON");
  return body;
}

Result<nlohmann::json> GraphApiClient::GetPhoneNumber(const std::string& phone_number_id,
                                                      const std::string& access_token) {
  return GetJson(Encoded(phone_number_id) + "?fields=display_phone_number,verified_name",
                 access_token);
}

Result<service::MediaInfo> GraphApiClient::GetMedia(const std::string& phone_number_id,
                                                    const std::string& access_token,
                                                    const std::string& media_id) {
  // phone_number_id makes Meta check the media belongs to this number (docs/cloud-api.md §6).
  auto answer =
      GetJson(Encoded(media_id) + "?phone_number_id=" + Encoded(phone_number_id), access_token);
  if (!answer) return tl::unexpected(answer.error());
  const nlohmann::json& body = *answer;
  if (!body.contains("url") || !body["url"].is_string()) {
    return MakeError(ErrorCode::kInternal, "graph api media answer without a url");
  }
  service::MediaInfo info;
  info.url = body["url"].get<std::string>();
  info.mime_type = body.value("mime_type", "");
  info.sha256 = body.value("sha256", "");
  // file_size is a string in Meta's OpenAPI example and a number elsewhere (docs/cloud-api.md §6):
  // take both.
  if (body.contains("file_size")) {
    const auto& size = body["file_size"];
    if (size.is_number_integer()) info.file_size = size.get<int64_t>();
    if (size.is_string()) info.file_size = std::atoll(size.get<std::string>().c_str());
  }
  return info;
}

Status GraphApiClient::CheckMediaUrl(const common::HttpUrl& url) const {
  const bool loopback = common::IsLoopbackHost(url.host);
  // The Graph API's own origin already has the token; media hosts are named in the config.
  bool allowed = graph_origin_ && url.scheme == graph_origin_->scheme &&
                 url.host == graph_origin_->host && url.port == graph_origin_->port;
  for (const auto& pattern : settings_.media_hosts) {
    allowed = allowed || common::HostMatches(url.host, pattern);
  }
  if (!allowed) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "media URL on host " + url.host +
                         ", which is not the Graph API's nor on "
                         "[whatsapp] media_hosts: not fetched, the token stays with Meta");
  }
  if (url.scheme != "https" && !loopback) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "media URL on host " + url.host + " is not https: not fetched with the token");
  }
  return Ok();
}

Result<std::string> GraphApiClient::Download(const std::string& access_token,
                                             const std::string& url, int64_t max_bytes) {
  // Redirects are followed here, not by httplib: each hop's host is checked before anything
  // is sent to it, and only the first request carries the token (a redirect may point
  // anywhere; the token must never follow it).
  constexpr int kMaxRedirects = 3;
  std::string location = url;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    const std::optional<common::HttpUrl> target = common::ParseHttpUrl(location);
    if (!target) {
      return MakeError(ErrorCode::kFailedPrecondition, hop == 0
                                                           ? "media URL is not an http(s) URL"
                                                           : "media redirect to a non-http(s) URL");
    }
    if (auto allowed = CheckMediaUrl(*target); !allowed) {
      return tl::unexpected(
          Error{allowed.error().code,
                hop == 0 ? allowed.error().message : "redirect: " + allowed.error().message});
    }
    const std::string host =
        target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    httplib::Client client(target->scheme + "://" + host + ":" + std::to_string(target->port));
    const time_t sec = settings_.timeout_ms / 1000;
    const time_t usec = (settings_.timeout_ms % 1000) * 1000;
    client.set_connection_timeout(sec, usec);
    client.set_read_timeout(sec, usec);
    client.set_follow_location(false);
    client.enable_server_certificate_verification(true);  // Meta's media host, like the API's
    std::string bytes;
    bool too_large = false;
    httplib::Headers headers;
    if (hop == 0) headers.emplace("Authorization", "Bearer " + access_token);
    auto response =
        client.Get(target->target.c_str(), headers, [&](const char* data, size_t length) {
          if (static_cast<int64_t>(bytes.size() + length) > max_bytes) {
            too_large = true;
            return false;  // stop reading: never hold more than the limit
          }
          bytes.append(data, length);
          return true;
        });
    if (too_large) {
      return MakeError(ErrorCode::kResourceExhausted,
                       "media larger than " + std::to_string(max_bytes) + " bytes");
    }
    if (!response) return tl::unexpected(Unreachable(response));
    const int status = response->status;
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      location = response->get_header_value("Location");
      if (location.empty())
        return MakeError(ErrorCode::kUnavailable, "media redirect without a Location");
      if (location[0] == '/') {
        location = target->scheme + "://" + host + ":" + std::to_string(target->port) + location;
      }
      continue;
    }
    if (status != 200) {
      // A lapsed URL answers 404: fetching a new one (GetMedia again) is the cure
      // (docs/cloud-api.md §6).
      return MakeError(
          status == 404 || status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kFailedPrecondition,
          "media download http " + std::to_string(status));
    }
    return bytes;
  }
  return MakeError(ErrorCode::kUnavailable,
                   "media download: more than " + std::to_string(kMaxRedirects) + " redirects");
}

Result<std::string> GraphApiClient::Upload(const std::string& phone_number_id,
                                           const std::string& access_token,
                                           const std::string& bytes, const std::string& mime_type) {
  const std::string path =
      path_prefix_ + "/" + settings_.version + "/" + phone_number_id + "/media";
  httplib::Headers headers = {{"Authorization", "Bearer " + access_token}};
  httplib::MultipartFormDataItems items = {{"messaging_product", "whatsapp", "", ""},
                                           {"type", mime_type, "", ""},
                                           {"file", bytes, UploadFileName(mime_type), mime_type}};
  std::lock_guard lock(mutex_);
  auto response = client_->Post(path.c_str(), headers, items);
  if (!response) return tl::unexpected(Unreachable(response));
  if (response->status != 200) {
    return tl::unexpected(whatsapp::ClassifyGraphError(response->status, response->body));
  }
  auto body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("id") && body["id"].is_string()) {
    return body["id"].get<std::string>();
  }
  return MakeError(ErrorCode::kInternal, "graph api upload answer without an id");
}

}  // namespace chatshop::infra
