#include "apps/sandbox/meta_limits.h"

#include <algorithm>

namespace chatshop::sandbox {

using std::chrono::microseconds;

MetaLimits::MetaLimits(int messages_per_second, std::chrono::milliseconds pair_interval,
                       int pair_burst)
    : number_{microseconds(1000000 / std::max(1, messages_per_second)),
              std::max(1, messages_per_second)},
      pair_{std::chrono::duration_cast<microseconds>(pair_interval), std::max(1, pair_burst)} {}

bool MetaLimits::Allows(const Limit& limit, Clock::time_point tat, Clock::time_point now) {
  const auto after = std::max(tat, now) + limit.interval;
  return after - now <= limit.interval * limit.burst;
}

int64_t MetaLimits::Admit(const std::string& phone_number_id, const std::string& to,
                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& number = number_tat_[phone_number_id];
  auto& pair = pair_tat_[phone_number_id + ":" + to];
  if (!Allows(number_, number, now)) return 130429;
  if (pair_.interval.count() > 0 && !Allows(pair_, pair, now)) return 131056;
  number = std::max(number, now) + number_.interval;
  pair = std::max(pair, now) + pair_.interval;
  return 0;
}

bool FaultPlan::Set(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("rules") || !body["rules"].is_array()) return false;
  std::vector<Rule> rules;
  for (const auto& r : body["rules"]) {
    if (!r.is_object()) return false;
    Rule rule;
    try {
      rule.to = r.value("to", std::string());
      rule.code = r.value("code", int64_t{0});
      rule.probability = r.value("probability", 1.0);
      rule.times = r.value("times", -1);
      rule.delay_ms = r.value("delay_ms", 0);
      rule.codes = r.value("codes", std::vector<int64_t>());
      rule.message = r.value("message", std::string());
    } catch (const nlohmann::json::exception&) {
      return false;  // a field of the wrong type
    }
    if (rule.probability < 0 || rule.probability > 1 || rule.delay_ms < 0 ||
        rule.delay_ms > 60000 || rule.message.size() > 64 * 1024) {
      return false;
    }
    rules.push_back(rule);
  }
  std::lock_guard lock(mutex_);
  rules_ = std::move(rules);
  return true;
}

void FaultPlan::Clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

FaultPlan::Decision FaultPlan::Next(const std::string& to) {
  std::lock_guard lock(mutex_);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (auto& rule : rules_) {
    if (rule.times == 0 || (!rule.to.empty() && rule.to != to)) continue;
    if (rule.probability < 1 && uniform(random_) >= rule.probability) continue;
    if (rule.times > 0) --rule.times;
    if (!rule.codes.empty()) {
      std::uniform_int_distribution<size_t> pick(0, rule.codes.size() - 1);
      return {rule.codes[pick(random_)], rule.delay_ms, rule.message};
    }
    return {rule.code, rule.delay_ms, rule.message};
  }
  return {};
}

std::pair<int, nlohmann::json> MetaErrorAnswer(int64_t code, const std::string& message) {
  auto error = [code, &message](const std::string& title) {
    return nlohmann::json{
        {"error",
         {{"message", message.empty() ? "(#" + std::to_string(code) + ") " + title : message},
          {"type", "OAuthException"},
          {"code", code},
          {"error_data", {{"messaging_product", "whatsapp"}, {"details", title}}},
          {"fbtrace_id", "SANDBOX"}}}};
  };
  switch (code) {
    case 0:
    case 190:
      return {401, error("Invalid OAuth access token.")};
    case 130429:
      return {400, error("Rate limit hit")};
    case 131056:
      return {400, error("(Business Account, Consumer Account) pair rate limit hit")};
    case 131047:
      return {400, error("Re-engagement message")};
    case 131026:
      return {400, error("Message undeliverable")};
    case 131000:
      return {500, error("Something went wrong")};
    case 500:
      return {500, nullptr};
    default:
      return {400, error("Error")};
  }
}

}  // namespace chatshop::sandbox
