#include "apps/sandbox/sandbox.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iomanip>
#include <random>
#include <sstream>
#include <thread>

#include "apps/sandbox/page.h"
#include "common/logging.h"
#include "common/url.h"
#include "webhook/http_server.h"
#include "webhook/signature.h"
#include "whatsapp/envelope.h"
#include "whatsapp/media_kind.h"

namespace chatshop::sandbox {
namespace {

using nlohmann::json;

// Meta's error body (cloud-api.md §5.1).
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

std::string Base64Decode(const std::string& text, bool& ok) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  ok = true;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    const int v = value(c);
    if (v < 0) {
      ok = false;
      return "";
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

void ReplyJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// The host of "scheme://[user@]host[:port][/path]", lower case, without IPv6 brackets.
std::string HostOf(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos)
    url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  std::string host;
  if (!url.empty() && url[0] == '[') {
    host = std::string(url.substr(1, url.find(']') - 1));
  } else {
    host = std::string(url.substr(0, url.find(':')));
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!host.empty() && host.back() == '.') host.pop_back();  // "facebook.com." is the same host
  return host;
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // 127.0.0.0/8, written as four decimal numbers.
  if (host.rfind("127.", 0) != 0) return false;
  int parts = 0;
  for (size_t start = 0; start <= host.size(); ++parts) {
    size_t end = host.find('.', start);
    if (end == std::string::npos) end = host.size();
    const std::string part = host.substr(start, end - start);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(part) > 255) {
      return false;
    }
    start = end + 1;
  }
  return parts == 4;
}

}  // namespace

std::vector<std::string> UnsafeConfigProblems(const common::Config& config) {
  std::vector<std::string> problems;
  if (!IsLoopback(config.sandbox.listen.host)) {
    problems.push_back(
        "[sandbox] listen: must be a loopback address (127.0.0.1, ::1 or "
        "localhost): the sandbox signs webhooks with the app secret and shows "
        "every chat to whoever connects");
  }
  const std::string graph = HostOf(config.whatsapp.graph_base_url);
  if (graph == "facebook.com" ||
      (graph.size() > 13 && graph.compare(graph.size() - 13, 13, ".facebook.com") == 0)) {
    problems.push_back("[whatsapp] graph_base_url: points at Meta's Graph API (" + graph +
                       "): this is a real deployment's config; the sandbox runs only with "
                       "graph_base_url at the sandbox itself (http://127.0.0.1:<its port>)");
  }
  return problems;
}

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

void Sandbox::QueueStatuses(const std::string& phone_number_id, const std::string& wamid,
                            const std::string& recipient, const std::string& callback_data) {
  // A phone receives a message at once and its owner reads it a moment later.
  const auto now = std::chrono::steady_clock::now();
  using std::chrono::milliseconds;
  for (auto [status, after] :
       {std::pair{"sent", milliseconds(20)}, std::pair{"delivered", milliseconds(120)},
        std::pair{"read", milliseconds(600)}}) {
    pending_statuses_.push_back(
        {now + after, phone_number_id, wamid, recipient, status, callback_data});
  }
  // Due times of later messages are never earlier, except a read behind the next message's
  // sent: keep the queue ordered by due time.
  std::stable_sort(pending_statuses_.begin(), pending_statuses_.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  status_wake_.notify_one();
}

void Sandbox::StatusLoop() {
  auto log = common::GetLogger("sandbox");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_statuses_.empty()) {
      status_wake_.wait(lock);
      continue;
    }
    if (pending_statuses_.front().due > std::chrono::steady_clock::now()) {
      status_wake_.wait_until(lock, pending_statuses_.front().due);
      continue;
    }
    PendingStatus next = pending_statuses_.front();
    pending_statuses_.pop_front();
    lock.unlock();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    json status = {{"id", next.wamid},
                   {"status", next.status},
                   {"timestamp", std::to_string(seconds.count())},
                   {"recipient_id", next.recipient}};
    // Meta echoes the sender's biz_opaque_callback_data in every status of the message (§4).
    if (!next.callback_data.empty()) status["biz_opaque_callback_data"] = next.callback_data;
    if (next.status != "read") {
      status["pricing"] = {{"billable", false},
                           {"pricing_model", "PMP"},
                           {"type", "free_customer_service"},
                           {"category", "service"}};
    }
    json body = {
        {"object", "whatsapp_business_account"},
        {"entry",
         json::array({{{"id", "SANDBOX-WABA"},
                       {"changes", json::array({{{"field", "messages"},
                                                 {"value",
                                                  {{"messaging_product", "whatsapp"},
                                                   {"metadata",
                                                    {{"display_phone_number", next.phone_number_id},
                                                     {"phone_number_id", next.phone_number_id}}},
                                                   {"statuses", json::array({status})}}}}})}}})}};
    const int answer = DeliverWebhook(body.dump());
    if (answer != 200) {
      log->warn("status webhook {} for {} not taken: gateway answered {}", next.status, next.wamid,
                answer);
    }
    lock.lock();
    if (answer == 200) status_of_[next.wamid] = next.status;
  }
}

std::string Sandbox::MediaRefusal(const json& payload) {
  // Where the media objects of a message are: the message's own, or an interactive header.
  const std::string type = payload.value("type", "");
  std::string kind;
  json media;
  if ((type == "image" || type == "document") && payload.contains(type) &&
      payload[type].is_object()) {
    kind = type;
    media = payload[type];
  } else if (type == "interactive" && payload.contains("interactive") &&
             payload["interactive"].is_object() && payload["interactive"].contains("header") &&
             payload["interactive"]["header"].is_object()) {
    const json& header = payload["interactive"]["header"];
    kind = header.value("type", "");
    if ((kind == "image" || kind == "document") && header.contains(kind) &&
        header[kind].is_object()) {
      media = header[kind];
    } else {
      kind.clear();
    }
  }
  if (kind.empty() || !media.contains("id") || !media["id"].is_string()) return "";
  const std::string id = media["id"].get<std::string>();
  std::lock_guard lock(mutex_);
  auto it = media_.find(id);
  if (it == media_.end()) return "no media " + id;
  // Meta shows images of these two types only (cloud-api.md §6); anything else, a PDF
  // uploaded as application/pdf above all, cannot head a message as a picture.
  if (kind == "image" && !whatsapp::IsSendableImageMime(it->second.mime_type)) {
    return "media " + id + " is " + it->second.mime_type +
           ", not an image (image/jpeg or image/png)";
  }
  return "";
}

bool Sandbox::FindOfferedChoice(const std::string& customer, const std::string& id,
                                std::string& kind, std::string& title) const {
  for (auto m = sent_messages_.rbegin(); m != sent_messages_.rend(); ++m) {
    if ((*m)["to"] != customer) continue;
    const json& action =
        (*m)["payload"].value("interactive", json::object()).value("action", json::object());
    for (const auto& b : action.value("buttons", json::array())) {
      const json reply = b.value("reply", json::object());
      if (reply.value("id", "") == id) {
        kind = "button_reply";
        title = reply.value("title", "");
        return true;
      }
    }
    for (const auto& section : action.value("sections", json::array())) {
      for (const auto& row : section.value("rows", json::array())) {
        if (row.value("id", "") == id) {
          kind = "list_reply";
          title = row.value("title", "");
          return true;
        }
      }
    }
  }
  return false;
}

std::string Sandbox::NextWamid(char direction) {
  static std::mt19937_64 random(std::random_device{}());
  std::ostringstream id;
  id << "wamid.SANDBOX" << direction << std::hex << std::uppercase << std::setw(12)
     << std::setfill('0') << ++counter_ << random();
  return id.str();
}

int Sandbox::DeliverWebhook(const std::string& body) {
  common::UrlParts url = common::SplitUrl(config_.sandbox.webhook_url);
  httplib::Client client(url.origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(15);
  httplib::Headers headers = {
      {"X-Hub-Signature-256", webhook::SignatureHeader(config_.whatsapp.app_secret, body)}};
  auto response =
      client.Post(url.path.empty() ? "/" : url.path.c_str(), headers, body, "application/json");
  return response ? response->status : 0;
}

void Sandbox::Routes() {
  auto log = common::GetLogger("sandbox");

  auto authorised = [this](const httplib::Request& req) {
    return req.get_header_value("Authorization") == "Bearer " + config_.sandbox.access_token;
  };

  // Media (§6): where to download a media id, the download itself, and uploads.
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
               {"sha256", Hex(Sha256(it->second.bytes))},
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

  // The fake Graph API send endpoint.
  server_->Post(R"(/(v\d+\.\d+)/([^/]+)/messages)", [this, log](const httplib::Request& req,
                                                                httplib::Response& res) {
    const std::string version = req.matches[1];
    const std::string phone_number_id = req.matches[2];
    if (req.get_header_value("Authorization") != "Bearer " + config_.sandbox.access_token) {
      log->warn("graph api call with a bad token phone_number_id={}", phone_number_id);
      return ReplyJson(res, 401, GraphError(190, "Invalid OAuth access token."));
    }
    json payload = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    // A read receipt (§5.2 "Mark as read"): the customer's message shows blue ticks.
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

  // The customer side: a text message from a customer, delivered as a signed webhook.
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
      bool ok = false;
      Media media{Base64Decode(image, ok), field("mime_type")};
      if (!ok || media.bytes.empty() || media.mime_type.empty()) {
        return ReplyJson(res, 400, {{"error", "image_base64 must be base64 and mime_type given"}});
      }
      spec.media_mime_type = media.mime_type;
      spec.media_sha256 = Base64(Sha256(media.bytes));
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

  // Meta's retry: the very same bytes again.
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
