#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "whatsapp/ports.h"

namespace httplib {
class Client;
}

namespace chatshop::infra {

struct GraphApiSettings {
  std::string base_url;  // https://graph.facebook.com, or the sandbox's http://127.0.0.1:PORT
  std::string version;   // v24.0
  int timeout_ms = 10000;
};

// whatsapp::GraphApi over HTTP(S) with cpp-httplib: one keep-alive connection, calls serialised.
// Thread-safe. The constructor does no I/O.
class GraphApiClient : public whatsapp::GraphApi {
 public:
  explicit GraphApiClient(GraphApiSettings settings);
  ~GraphApiClient() override;

  Result<std::string> SendMessage(const std::string& phone_number_id,
                                  const std::string& access_token,
                                  const nlohmann::json& payload) override;

 private:
  GraphApiSettings settings_;
  std::string path_prefix_;  // any path part of base_url, e.g. "/graph"
  std::mutex mutex_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace chatshop::infra
