#include "apps/sandbox/sandbox.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>
#include <thread>

#include "apps/sandbox/page.h"
#include "common/crypto.h"
#include "common/logging.h"
#include "common/url.h"
#include "webhook/http_server.h"
#include "webhook/signature.h"
#include "whatsapp/envelope.h"
#include "whatsapp/media_kind.h"

namespace chatshop::sandbox {
namespace {

using nlohmann::json;

// Meta's error body (docs/cloud-api.md §5.1).
json GraphError(int code, const std::string& message) {
  return {{"error",
           {{"message", "(#" + std::to_string(code) + ") " + message},
            {"type", "OAuthException"},
            {"code", code},
            {"fbtrace_id", "SANDBOX"}}}};
}

// A /messages body as a chat line: the text, and the buttons or list rows it offers.
std::string Describe(const json& payload) {
  const std::string type = payload.value("type", "");
  if (type == "text" && payload.contains("text") && payload["text"].is_object()) {
    return payload["text"].value("body", "");
  }
  if (type == "interactive" && payload.contains("interactive")) {
    const json& interactive = payload["interactive"];
    std::string text = interactive.contains("body") ? interactive["body"].value("text", "") : "";
    if (interactive.contains("header") && interactive["header"].value("type", "") == "image") {
      text = "[picture " + interactive["header"]["image"].value("id", "") + "]\n" + text;
    }
    if (interactive.contains("header") && interactive["header"].value("type", "") == "document") {
      const json& document = interactive["header"].value("document", json::object());
      text = "[document " + document.value("filename", "") + " " + document.value("id", "") +
             "]\n" + text;
    }
    std::string choices;
    const json& action = interactive.value("action", json::object());
    for (const auto& b : action.value("buttons", json::array())) {
      choices += (choices.empty() ? "" : " | ") + b["reply"].value("title", "");
    }
    for (const auto& section : action.value("sections", json::array())) {
      for (const auto& row : section.value("rows", json::array())) {
        choices += (choices.empty() ? "" : " | ") + row.value("title", "");
      }
    }
    return text + (choices.empty() ? "" : "\n    [ " + choices + " ]");
  }
  return "[" + type + " message]";
}

void ReplyJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

Sandbox::Sandbox(const common::Config& config)
    : config_(config),
      server_(std::make_unique<httplib::Server>()),
      limits_(config.sandbox.messages_per_second,
              std::chrono::milliseconds(config.sandbox.pair_interval_ms),
              config.sandbox.pair_burst) {
  webhook::TuneHttpServer(*server_, 16);
  Routes();
  status_thread_ = std::thread([this] { StatusLoop(); });
}

Sandbox::~Sandbox() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  status_wake_.notify_all();
  status_thread_.join();
}

int Sandbox::DeliverWebhook(const std::string& body) {
  common::UrlParts url = common::SplitUrl(config_.sandbox.webhook_url);
  httplib::Client client(url.origin);
  // An https URL (Meta's side of nginx): the certificate is checked, against [sandbox]
  // webhook_ca_file when set (a local CA), otherwise against the system's store. Plain http
  // has nothing to check.
  client.enable_server_certificate_verification(true);
  if (!config_.sandbox.webhook_ca_file.empty()) {
    client.set_ca_cert_path(config_.sandbox.webhook_ca_file);
  }
  client.set_connection_timeout(5);
  client.set_read_timeout(15);
  httplib::Headers headers = {
      {"X-Hub-Signature-256", webhook::SignatureHeader(config_.whatsapp.app_secret, body)}};
  auto response =
      client.Post(url.path.empty() ? "/" : url.path.c_str(), headers, body, "application/json");
  return response ? response->status : 0;
}

void Sandbox::Routes() {
  RouteMedia();
  RouteSends();
  RouteControls();
  RouteCustomers();
  RouteRedelivery();
  RouteChatPage();
}

// Meta's media endpoints (docs/cloud-api.md §6): where to download a media id, the download
// itself, and uploads.
void Sandbox::RouteMedia() {
  auto authorised = [this](const httplib::Request& req) {
    return req.get_header_value("Authorization") == "Bearer " + config_.sandbox.access_token;
  };

  server_->Get(R"(/(v\d+\.\d+)/([^/]+))", [this, authorised](const httplib::Request& req,
                                                             httplib::Response& res) {
    if (!authorised(req))
      return ReplyJson(res, 401, GraphError(190, "Invalid OAuth access token."));
    const std::string id = req.matches[2];
    // A phone number's fields (what `chatshopctl credentials check` asks for).
    if (req.has_param("fields")) {
      return ReplyJson(res, 200,
                       {{"id", id},
                        {"display_phone_number", "+1 555 0100"},
                        {"verified_name", "chatshop sandbox"}});
    }
    std::lock_guard lock(mutex_);
    auto it = media_.find(id);
    if (it == media_.end()) return ReplyJson(res, 404, GraphError(100, "Invalid media id"));
    ReplyJson(res, 200,
              {{"messaging_product", "whatsapp"},
               {"url", "http://" + config_.sandbox.listen.ToString() + "/sandbox/media/" + id},
               {"mime_type", it->second.mime_type},
               {"sha256", common::Sha256Hex(it->second.bytes)},
               {"file_size", std::to_string(it->second.bytes.size())},
               {"id", id}});
  });
  server_->Get(R"(/sandbox/media/([^/]+))",
               [this, authorised](const httplib::Request& req, httplib::Response& res) {
                 // Like Meta's media URLs: the token is required.
                 if (!authorised(req))
                   return ReplyJson(res, 401, GraphError(190, "Invalid OAuth access token."));
                 std::lock_guard lock(mutex_);
                 auto it = media_.find(req.matches[1]);
                 if (it == media_.end())
                   return ReplyJson(res, 404, GraphError(100, "Invalid media id"));
                 res.set_content(it->second.bytes, it->second.mime_type.c_str());
               });
  server_->Post(R"(/(v\d+\.\d+)/([^/]+)/media)", [this, authorised](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!authorised(req))
      return ReplyJson(res, 401, GraphError(190, "Invalid OAuth access token."));
    if (!req.has_file("file") || req.get_file_value("messaging_product").content != "whatsapp") {
      return ReplyJson(res, 400, GraphError(100, "Invalid parameter"));
    }
    const auto file = req.get_file_value("file");
    std::lock_guard lock(mutex_);
    const std::string id = "SBXUPLOAD" + std::to_string(++counter_);
    media_[id] = {file.content, file.content_type};
    ReplyJson(res, 200, {{"id", id}});
  });
}

// The fake Graph API send endpoint.
void Sandbox::RouteSends() {
  auto log = common::GetLogger("sandbox");
  server_->Post(R"(/(v\d+\.\d+)/([^/]+)/messages)", [this, log](const httplib::Request& req,
                                                                httplib::Response& res) {
    const std::string version = req.matches[1];
    const std::string phone_number_id = req.matches[2];
    if (req.get_header_value("Authorization") != "Bearer " + config_.sandbox.access_token) {
      log->warn("graph api call with a bad token phone_number_id={}", phone_number_id);
      return ReplyJson(res, 401, GraphError(190, "Invalid OAuth access token."));
    }
    json payload = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    // A read receipt (docs/cloud-api.md §5.2 "Mark as read"): the customer's message shows blue
    // ticks.
    if (payload.is_object() && payload.value("status", "") == "read" &&
        payload.contains("message_id") && payload["message_id"].is_string()) {
      std::lock_guard lock(mutex_);
      status_of_[payload["message_id"].get<std::string>()] =
          payload.contains("typing_indicator") ? "read+typing" : "read";
      return ReplyJson(res, 200, {{"success", true}});
    }
    if (!payload.is_object() || payload.value("messaging_product", "") != "whatsapp" ||
        !payload.contains("to") || !payload["to"].is_string() || !payload.contains("type")) {
      return ReplyJson(res, 400, GraphError(100, "Invalid parameter"));
    }
    if (std::string refused = MediaRefusal(payload); !refused.empty()) {
      log->warn("graph api refused media: {}", refused);
      return ReplyJson(res, 400, GraphError(131053, "Media upload error: " + refused));
    }
    std::string to = payload["to"].get<std::string>();
    std::string wa_id = to.rfind('+', 0) == 0 ? to.substr(1) : to;
    // Failures it was told to give, then Meta's limits: neither counts as accepted.
    const FaultPlan::Decision fault = faults_.Next(wa_id);
    if (fault.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
    int64_t refused = fault.code;
    if (refused == 0)
      refused = limits_.Admit(phone_number_id, wa_id, std::chrono::steady_clock::now());
    if (refused != 0) {
      {
        std::lock_guard lock(mutex_);
        ++stats_[(fault.code != 0 ? "injected." : "limited.") + std::to_string(refused)];
      }
      if (fault.code == 0) {
        log->warn("graph api limit {} for to={}", refused, common::MaskPhone(wa_id));
      }
      auto [status, body] = MetaErrorAnswer(refused, fault.message);
      if (body.is_null()) {
        res.status = status;
        res.set_content("Internal Server Error", "text/plain");
        return;
      }
      return ReplyJson(res, status, body);
    }
    std::string wamid;
    {
      std::lock_guard lock(mutex_);
      ++stats_["accepted"];
      wamid = NextWamid('O');
      std::string text = Describe(payload);
      transcript_.emplace_back(wa_id, "shop " + phone_number_id + " → " + wa_id + ": " + text);
      chat_.push_back({{"seq", chat_.size() + 1},
                       {"number", wa_id},
                       {"dir", "out"},
                       {"id", wamid},
                       {"payload", payload}});
      sent_messages_.push_back({{"id", wamid},
                                {"version", version},
                                {"phone_number_id", phone_number_id},
                                {"to", wa_id},
                                {"payload", payload}});
      QueueStatuses(phone_number_id, wamid, wa_id,
                    payload.contains("biz_opaque_callback_data") &&
                            payload["biz_opaque_callback_data"].is_string()
                        ? payload["biz_opaque_callback_data"].get<std::string>()
                        : "");
    }
    log->info("graph api accepted message to={} wamid={}", common::MaskPhone(wa_id), wamid);
    ReplyJson(res, 200,
              {{"messaging_product", "whatsapp"},
               {"contacts", json::array({{{"input", to}, {"wa_id", wa_id}}})},
               {"messages", json::array({{{"id", wamid}, {"message_status", "accepted"}}})}});
  });
}

// What tests and demos steer and read: injected faults, counters, the messages received.
void Sandbox::RouteControls() {
  server_->Post("/sandbox/faults", [this](const httplib::Request& req, httplib::Response& res) {
    if (!faults_.Set(json::parse(req.body, nullptr, /*allow_exceptions=*/false))) {
      return ReplyJson(res, 400,
                       {{"error",
                         "expected {\"rules\": [{\"to\", \"code\", "
                         "\"probability\", \"times\", \"delay_ms\", "
                         "\"message\"}]}"}});
    }
    ReplyJson(res, 200, {{"ok", true}});
  });
  server_->Delete("/sandbox/faults", [this](const httplib::Request&, httplib::Response& res) {
    faults_.Clear();
    ReplyJson(res, 200, {{"ok", true}});
  });
  server_->Get("/sandbox/stats", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    json stats = json::object();
    for (const auto& [key, count] : stats_) stats[key] = count;
    ReplyJson(res, 200, stats);
  });

  server_->Get("/sandbox/messages", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string to = req.get_param_value("to");
    json list = json::array();
    std::lock_guard lock(mutex_);
    for (const auto& m : sent_messages_) {
      if (to.empty() || m["to"] == to) list.push_back(m);
    }
    ReplyJson(res, 200, list);
  });
}

// The customers' phones: a message from a customer, delivered as a signed webhook.
void Sandbox::RouteCustomers() {
  server_->Post("/sandbox/customer/messages", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
    json in = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    auto field = [&in](const char* key) {
      return in.is_object() && in.contains(key) && in[key].is_string() ? in[key].get<std::string>()
                                                                       : std::string();
    };
    whatsapp::CustomerMessageSpec spec;
    spec.phone_number_id = field("phone_number_id");
    spec.display_phone_number = field("display_phone_number");
    spec.from = field("from");
    spec.name = field("name");
    spec.text = field("text");
    spec.reply_id = field("reply_id");
    spec.context_id = field("context");
    const std::string image = field("image_base64");
    const int kinds = !spec.text.empty() + !spec.reply_id.empty() + !image.empty();
    if (spec.phone_number_id.empty() || spec.from.empty() || kinds != 1) {
      return ReplyJson(res, 400,
                       {{"error",
                         "give phone_number_id, from and one of text, reply_id or "
                         "image_base64 (with mime_type) (strings); name, caption and "
                         "context (a wamid to quote) optional"}});
    }
    if (!image.empty()) {
      const auto bytes = common::Base64Decode(image);
      Media media{bytes.value_or(""), field("mime_type")};
      if (!bytes || media.bytes.empty() || media.mime_type.empty()) {
        return ReplyJson(res, 400, {{"error", "image_base64 must be base64 and mime_type given"}});
      }
      spec.media_mime_type = media.mime_type;
      spec.media_sha256 = common::Base64Encode(common::Sha256(media.bytes));
      spec.caption = field("caption");
      std::lock_guard lock(mutex_);
      spec.media_id = "SBXMEDIA" + std::to_string(++counter_);
      media_[spec.media_id] = std::move(media);
    }
    if (!spec.reply_id.empty()) {
      // Like a real phone, the customer can only tap what one of our messages offered.
      std::lock_guard lock(mutex_);
      if (!FindOfferedChoice(spec.from, spec.reply_id, spec.reply_kind, spec.reply_title)) {
        return ReplyJson(res, 400, {{"error", "no message to this customer offers that reply_id"}});
      }
    }
    if (config_.sandbox.webhook_url.empty()) {
      return ReplyJson(res, 503, {{"error", "[sandbox] webhook_url is not configured"}});
    }
    spec.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    {
      std::lock_guard lock(mutex_);
      spec.wamid = NextWamid('I');
    }
    const std::string body = whatsapp::BuildCustomerWebhookBody(spec);
    {
      std::lock_guard lock(mutex_);
      webhooks_[spec.wamid] = body;
      json entry = {
          {"seq", chat_.size() + 1}, {"number", spec.from}, {"dir", "in"}, {"id", spec.wamid}};
      if (!spec.media_id.empty()) {
        entry["media_id"] = spec.media_id;
        entry["mime_type"] = spec.media_mime_type;
      } else if (!spec.reply_id.empty()) {
        entry["tapped"] = spec.reply_title;
      } else {
        entry["text"] = spec.text;
      }
      chat_.push_back(std::move(entry));
      transcript_.emplace_back(
          spec.from,
          spec.from + (spec.name.empty() ? "" : " (" + spec.name + ")") + " → shop " +
              spec.phone_number_id + ": " +
              (!spec.media_id.empty()  ? "[" + spec.media_mime_type + " " + spec.media_id + "]"
               : spec.reply_id.empty() ? spec.text
                                       : "[tapped " + spec.reply_title + "]"));
    }
    const int status = DeliverWebhook(body);
    ReplyJson(res, status == 200 ? 200 : 502, {{"wamid", spec.wamid}, {"gateway_status", status}});
  });
}

// Meta's retry: the very same bytes again.
void Sandbox::RouteRedelivery() {
  server_->Post(
      "/sandbox/webhooks/redeliver", [this](const httplib::Request& req, httplib::Response& res) {
        json in = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        std::string wamid = in.is_object() ? in.value("wamid", "") : "";
        std::string body;
        {
          std::lock_guard lock(mutex_);
          if (auto it = webhooks_.find(wamid); it != webhooks_.end()) body = it->second;
        }
        if (body.empty()) return ReplyJson(res, 404, {{"error", "no webhook with that wamid"}});
        const int status = DeliverWebhook(body);
        ReplyJson(res, status == 200 ? 200 : 502, {{"wamid", wamid}, {"gateway_status", status}});
      });
}

// The chat page and what feeds it; /healthz.
void Sandbox::RouteChatPage() {
  // The chat page and what feeds it. Loopback only: pictures are shown without the token.
  server_->Get("/sandbox", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kSandboxPage, "text/html; charset=utf-8");
  });
  server_->Get("/sandbox/chat", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string number = req.get_param_value("number");
    const uint64_t after = std::strtoull(req.get_param_value("after").c_str(), nullptr, 10);
    json list = json::array();
    json statuses = json::object();  // the ticks of every message the shop sent this number
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < chat_.size(); ++i) {
      const json& entry = chat_[i];
      if (entry["number"] != number) continue;
      if (i >= after) list.push_back(entry);
      // Shop messages: the status webhooks sent; the phone's own: the shop's read receipts.
      if (entry.contains("id") && entry["id"].is_string()) {
        auto it = status_of_.find(entry["id"].get<std::string>());
        if (it != status_of_.end()) statuses[it->first] = it->second;
      }
    }
    ReplyJson(res, 200, {{"entries", list}, {"next", chat_.size()}, {"statuses", statuses}});
  });
  server_->Get(R"(/sandbox/page-media/([^/]+))", [this](const httplib::Request& req,
                                                        httplib::Response& res) {
    std::lock_guard lock(mutex_);
    auto it = media_.find(req.matches[1]);
    if (it == media_.end()) return ReplyJson(res, 404, {{"error", "no such media"}});
    // The type is whatever the sender claimed: only pictures and PDFs are shown as such, so an
    // "image" that is HTML cannot run on the page's origin.
    const std::string& type = it->second.mime_type;
    const bool shown = (type.rfind("image/", 0) == 0 && type.find("svg") == std::string::npos) ||
                       type == "application/pdf";
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "sandbox");
    res.set_content(it->second.bytes, shown ? type.c_str() : "application/octet-stream");
  });

  server_->Get("/sandbox/conversation",
               [this](const httplib::Request& req, httplib::Response& res) {
                 const std::string customer = req.get_param_value("customer");
                 std::string text;
                 std::lock_guard lock(mutex_);
                 for (const auto& [who, line] : transcript_) {
                   if (customer.empty() || who == customer) text += line + "\n";
                 }
                 res.set_content(text, "text/plain; charset=utf-8");
               });

  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

Status Sandbox::Run() {
  common::GetLogger("sandbox")->info("sandbox listening on {}", config_.sandbox.listen.ToString());
  return webhook::ListenAndServe(*server_, config_.sandbox.listen);
}

void Sandbox::Stop() { server_->stop(); }

}  // namespace chatshop::sandbox
