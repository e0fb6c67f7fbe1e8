#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/url.h"
#include "service/ports/graph_api.h"

namespace httplib {
class Client;
}

namespace chatshop::infra {

struct GraphApiSettings {
  std::string base_url;  // https://graph.facebook.com, or the sandbox's http://127.0.0.1:PORT
  std::string version;   // v24.0
  int timeout_ms = 10000;
  // Hosts media downloads may send the token to besides base_url's origin: names, or
  // "*.<domain>" for its subdomains ([whatsapp] media_hosts).
  std::vector<std::string> media_hosts;
};

// service::GraphApi and service::MediaApi over HTTP with cpp-httplib: one keep-alive
// connection to the Graph API, calls serialised; media downloads open their own connection to
// the URL's host. Thread-safe. The constructor does no I/O.
class GraphApiClient : public service::GraphApi, public service::MediaApi {
 public:
  explicit GraphApiClient(GraphApiSettings settings);
  ~GraphApiClient() override;

  Result<std::string> SendMessage(const std::string& phone_number_id,
                                  const std::string& access_token,
                                  const nlohmann::json& payload) override;
  // GET /{version}/{phone_number_id}?fields=display_phone_number,verified_name: the number as
  // Meta knows it, which shows the token works for it (chatshopctl credentials check).
  Result<nlohmann::json> GetPhoneNumber(const std::string& phone_number_id,
                                        const std::string& access_token);
  Result<service::MediaInfo> GetMedia(const std::string& phone_number_id,
                                      const std::string& access_token,
                                      const std::string& media_id) override;
  // Only from base_url's origin or a host on media_hosts, over https (plain http only on a
  // loopback host): any other URL is refused (kFailedPrecondition) before a byte is sent.
  // Redirects are followed (three at most) only to such hosts, and without the token.
  Result<std::string> Download(const std::string& access_token, const std::string& url,
                               int64_t max_bytes) override;
  Result<std::string> Upload(const std::string& phone_number_id, const std::string& access_token,
                             const std::string& bytes, const std::string& mime_type) override;

 private:
  // GET /{version}/{path_and_query} with the token: the answer's JSON object.
  Result<nlohmann::json> GetJson(const std::string& path_and_query,
                                 const std::string& access_token);

  // Ok when a media download may go to `url` with the token.
  Status CheckMediaUrl(const common::HttpUrl& url) const;

  GraphApiSettings settings_;
  std::optional<common::HttpUrl> graph_origin_;  // base_url's scheme, host and port
  std::string path_prefix_;                      // any path part of base_url, e.g. "/graph"
  std::mutex mutex_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace chatshop::infra
