#include <algorithm>
#include <cctype>
#include <chrono>
#include <iomanip>
#include <random>
#include <sstream>

#include "apps/sandbox/sandbox.h"
#include "common/logging.h"
#include "whatsapp/media_kind.h"

// The sandbox's bookkeeping that needs no HTTP library: whether a config may run it, the status
// webhooks it owes, the media checks Meta makes and the choices its messages offered. The
// routes are in sandbox.cc, the only translation unit of the sandbox that includes httplib.
namespace chatshop::sandbox {
namespace {

using nlohmann::json;

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
    // Meta echoes the sender's biz_opaque_callback_data in every status of the message
    // (docs/cloud-api.md §4).
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
  // Meta shows images of these two types only (docs/cloud-api.md §6); anything else, a PDF
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

}  // namespace chatshop::sandbox
