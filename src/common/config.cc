#include "common/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "common/url.h"

namespace chatshop::common {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

// Reads the keys of one [section], applying environment overrides and collecting every problem
// instead of stopping at the first, so one run of the program shows everything to fix.
class SectionReader {
 public:
  SectionReader(const toml::table& root, std::string section, const std::string& source,
                const EnvLookup& env, ConfigErrors& errors)
      : section_(std::move(section)), source_(source), env_(env), errors_(errors) {
    if (const toml::node* node = root.get(section_)) {
      table_ = node->as_table();
      if (table_ == nullptr) {
        Fail(node, "", std::string("expected a table, found ") + std::string(TypeName(*node)));
      }
    }
  }

  bool present() const { return table_ != nullptr; }

  // A string key; `fallback` nullopt makes the key required (and non-empty).
  std::string String(std::string_view key, std::optional<std::string> fallback) {
    seen_.insert(std::string(key));
    if (auto env = EnvValue(key)) {
      // An override that is set but empty (an unset ${VAR} in a compose file) is an error for a
      // required key, not a silent blank.
      if (env->empty() && !fallback) Fail(nullptr, key, "must not be empty");
      return env->empty() && fallback ? *fallback : *env;
    }
    const toml::node* node = Find(key);
    if (node == nullptr) return Missing(key, std::move(fallback), std::string());
    if (!node->is_string()) {
      Fail(node, key, std::string("expected a string, found ") + std::string(TypeName(*node)));
      return fallback.value_or("");
    }
    std::string value = node->as_string()->get();
    if (value.empty() && !fallback) Fail(node, key, "must not be empty");
    return value;
  }

  int64_t Integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) {
    seen_.insert(std::string(key));
    std::optional<int64_t> value;
    const toml::node* node = nullptr;
    if (auto env = EnvValue(key)) {
      char* end = nullptr;
      errno = 0;
      long long parsed = std::strtoll(env->c_str(), &end, 10);
      if (env->empty() || *end != '\0' || errno != 0) {
        errors_.push_back("environment " + EnvName(key) + ": expected an integer");
        return fallback;
      }
      value = parsed;
    } else if ((node = Find(key)) != nullptr) {
      if (!node->is_integer()) {
        Fail(node, key, std::string("expected an integer, found ") + std::string(TypeName(*node)));
        return fallback;
      }
      value = node->as_integer()->get();
    }
    if (!value) return fallback;
    if (*value < min || *value > max) {
      Fail(node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return fallback;
    }
    return *value;
  }

  // A required secret: refused when it is a placeholder copied from the example config (the
  // message names the key, never the value).
  std::string Secret(std::string_view key, std::optional<std::string> fallback) {
    std::string value = String(key, std::move(fallback));
    if (IsPlaceholderSecret(value)) {
      Fail(Find(key), key,
           "is a placeholder from the example config: set a value of your own (e.g. openssl "
           "rand -hex 24)");
    }
    return value;
  }

  int Int(std::string_view key, int fallback, int min, int max) {
    return static_cast<int>(Integer(key, fallback, min, max));
  }

  // A string key that must be one of `allowed`.
  std::string Choice(std::string_view key, std::string fallback,
                     std::initializer_list<std::string_view> allowed) {
    std::string value = String(key, fallback);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Fail(Find(key), key, "must be one of: " + list);
      return fallback;
    }
    return value;
  }

  ListenAddress Listen(std::string_view key, std::optional<ListenAddress> fallback) {
    if (fallback && !EnvValue(key) && Find(key) == nullptr) {
      seen_.insert(std::string(key));
      return *fallback;
    }
    std::string text = String(key, std::nullopt);
    if (text.empty()) return fallback.value_or(ListenAddress{});
    auto parsed = ParseListenAddress(text);
    if (!parsed) {
      Fail(Find(key), key, "expected \"host:port\" with a port from 1 to 65535");
      return fallback.value_or(ListenAddress{});
    }
    return *parsed;
  }

  // A URL whose scheme must be one of `schemes` (e.g. "amqp://"). The value is never quoted
  // in the message because URLs may carry passwords.
  std::string Url(std::string_view key, std::optional<std::string> fallback,
                  std::initializer_list<std::string_view> schemes) {
    std::string value = String(key, fallback);
    if (value.empty()) return value;
    for (auto scheme : schemes) {
      if (value.rfind(scheme, 0) == 0 && value.size() > scheme.size()) return value;
    }
    std::string list;
    for (auto s : schemes) list += (list.empty() ? "" : " or ") + std::string(s);
    Fail(Find(key), key, "expected a URL starting with " + list);
    return value;
  }

  // An array of strings; the environment override is a comma-separated list.
  std::vector<std::string> StringList(std::string_view key, std::vector<std::string> fallback) {
    seen_.insert(std::string(key));
    if (auto env = EnvValue(key)) {
      std::vector<std::string> items;
      size_t start = 0;
      while (start <= env->size()) {
        const size_t comma = std::min(env->find(',', start), env->size());
        std::string item = env->substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) items.push_back(item);
        start = comma + 1;
      }
      return items;
    }
    const toml::node* node = Find(key);
    if (node == nullptr) return fallback;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      Fail(node, key,
           std::string("expected an array of strings, found ") + std::string(TypeName(*node)));
      return fallback;
    }
    std::vector<std::string> items;
    for (const auto& item : *array) {
      if (!item.is_string()) {
        Fail(node, key, "expected an array of strings");
        return fallback;
      }
      items.push_back(item.as_string()->get());
    }
    return items;
  }

  // Reports a problem with `key`'s value (never quoting it) at its line.
  void Problem(std::string_view key, const std::string& what) { Fail(Find(key), key, what); }

  void RejectUnknownKeys() {
    if (table_ == nullptr) return;
    for (auto&& [key, node] : *table_) {
      if (!seen_.count(std::string(key.str()))) Fail(&node, key.str(), "unknown key");
    }
  }

 private:
  const toml::node* Find(std::string_view key) const {
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  std::string EnvName(std::string_view key) const {
    return "CHATSHOP_" + Upper(section_) + "_" + Upper(key);
  }

  std::optional<std::string> EnvValue(std::string_view key) const {
    return env_ ? env_(EnvName(key)) : std::nullopt;
  }

  std::string Missing(std::string_view key, std::optional<std::string> fallback,
                      std::string empty) {
    if (fallback) return *fallback;
    errors_.push_back(source_ + ": [" + section_ + "] " + std::string(key) +
                      ": required key is missing (set it in the file or in " + EnvName(key) + ")");
    return empty;
  }

  void Fail(const toml::node* node, std::string_view key, const std::string& what) {
    std::string where = source_;
    if (!key.empty() && EnvValue(key)) {
      where = "environment " + EnvName(key);  // the override, not the file, holds the bad value
    } else if (node != nullptr && node->source().begin.line > 0) {
      where += ":" + std::to_string(node->source().begin.line);
    }
    std::string name = "[" + section_ + "]" + (key.empty() ? "" : " " + std::string(key));
    errors_.push_back(where + ": " + name + ": " + what);
  }

  const toml::table* table_ = nullptr;
  std::string section_;
  const std::string& source_;
  const EnvLookup& env_;
  ConfigErrors& errors_;
  std::set<std::string> seen_;
};

}  // namespace

bool IsPlaceholderSecret(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view prefix : {"change-me", "changeme", "change_me", "replace-me", "<"}) {
    if (lower.rfind(prefix, 0) == 0) return true;
  }
  static const std::set<std::string> kPlaceholders = {
      "secret", "password", "token", "placeholder", "todo", "xxx", "example", "sandbox-token"};
  return kPlaceholders.count(lower) > 0;
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<ListenAddress> ParseListenAddress(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) return {};
  std::string port_text(text.substr(colon + 1));
  if (!std::all_of(port_text.begin(), port_text.end(),
                   [](unsigned char c) { return std::isdigit(c); }) ||
      port_text.size() > 5) {
    return {};
  }
  int port = std::stoi(port_text);
  if (port < 1 || port > 65535) return {};
  return ListenAddress{std::string(text.substr(0, colon)), port};
}

namespace {

void ReadHttp(const toml::table& root, const std::string& source_name, const EnvLookup& env,
              ConfigErrors& errors, Config& config) {
  SectionReader http(root, "http", source_name, env, errors);
  config.http.listen = http.Listen("listen", std::nullopt);
  config.http.webhook_path = http.String("webhook_path", config.http.webhook_path);
  config.http.public_url = http.Url("public_url", "", {"https://", "http://"});
  if (config.http.webhook_path.empty() || config.http.webhook_path[0] != '/') {
    errors.push_back(source_name + ": [http] webhook_path: must start with '/'");
  }
  config.http.max_body_bytes =
      http.Integer("max_body_bytes", config.http.max_body_bytes, 1024, 64 * 1024 * 1024);
  config.http.threads = http.Int("threads", config.http.threads, 1, 4096);
  config.http.admin_listen = http.Listen("admin_listen", config.http.admin_listen);
  config.http.max_header_line_bytes =
      http.Integer("max_header_line_bytes", config.http.max_header_line_bytes, 256, 1024 * 1024);
  config.http.max_header_count =
      http.Int("max_header_count", config.http.max_header_count, 8, 1000);
  config.http.max_header_bytes =
      http.Integer("max_header_bytes", config.http.max_header_bytes, 1024, 4 * 1024 * 1024);
  config.http.request_timeout_ms =
      http.Int("request_timeout_ms", config.http.request_timeout_ms, 100, 600000);
  config.http.idle_timeout_ms =
      http.Int("idle_timeout_ms", config.http.idle_timeout_ms, 100, 3600000);
  config.http.max_connections =
      http.Int("max_connections", config.http.max_connections, 1, 1000000);
  config.http.max_connections_per_address =
      http.Int("max_connections_per_address", config.http.max_connections_per_address, 1, 1000000);
  config.http.max_buffered_body_bytes =
      http.Integer("max_buffered_body_bytes", config.http.max_buffered_body_bytes, 1024,
                   int64_t{64} * 1024 * 1024 * 1024);
  config.http.readiness_interval_ms =
      http.Int("readiness_interval_ms", config.http.readiness_interval_ms, 50, 60000);
  if (config.http.max_buffered_body_bytes < config.http.max_body_bytes) {
    errors.push_back(source_name +
                     ": [http] max_buffered_body_bytes: must be at least max_body_bytes");
  }
  http.RejectUnknownKeys();
}

void ReadWhatsApp(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                  ConfigErrors& errors, Config& config) {
  SectionReader wa(root, "whatsapp", source_name, env, errors);
  config.whatsapp.app_secret = wa.Secret("app_secret", std::nullopt);
  config.whatsapp.verify_token = wa.Secret("verify_token", std::nullopt);
  config.whatsapp.graph_base_url =
      wa.Url("graph_base_url", config.whatsapp.graph_base_url, {"https://", "http://"});
  config.whatsapp.graph_version = wa.String("graph_version", config.whatsapp.graph_version);
  if (config.whatsapp.graph_version.size() < 2 || config.whatsapp.graph_version[0] != 'v') {
    errors.push_back(source_name + ": [whatsapp] graph_version: expected a version like \"v24.0\"");
  }
  config.whatsapp.request_timeout_ms =
      wa.Int("request_timeout_ms", config.whatsapp.request_timeout_ms, 100, 120000);
  config.whatsapp.media_hosts = wa.StringList("media_hosts", config.whatsapp.media_hosts);
  for (const auto& host : config.whatsapp.media_hosts) {
    const std::string bare = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
    if (bare.empty() || bare.find_first_of(":/@*? ") != std::string::npos) {
      wa.Problem("media_hosts",
                 "expected host names like \"lookaside.fbsbx.com\" or "
                 "\"*.fbcdn.net\" (no scheme, port or path)");
      break;
    }
  }
  wa.RejectUnknownKeys();
}

void ReadPostgres(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                  ConfigErrors& errors, Config& config) {
  SectionReader pg(root, "postgres", source_name, env, errors);
  config.postgres.url = pg.Url("url", std::nullopt, {"postgresql://", "postgres://"});
  config.postgres.read_url = pg.Url("read_url", "", {"postgresql://", "postgres://"});
  pg.RejectUnknownKeys();
}

void ReadRedis(const toml::table& root, const std::string& source_name, const EnvLookup& env,
               ConfigErrors& errors, Config& config) {
  SectionReader redis(root, "redis", source_name, env, errors);
  config.redis.url = redis.Url("url", std::nullopt, {"redis://", "rediss://"});
  if (config.redis.url.rfind("redis", 0) == 0) {  // a wrong scheme was reported just now
    if (auto endpoint = ParseRedisUrl(config.redis.url); !endpoint) {
      redis.Problem("url", endpoint.error());
    }
  }
  config.redis.key_prefix = redis.String("key_prefix", config.redis.key_prefix);
  config.redis.cache_ttl_seconds =
      redis.Int("cache_ttl_seconds", config.redis.cache_ttl_seconds, 1, 86400);
  config.redis.sentinels = redis.StringList("sentinels", {});
  config.redis.master_name = redis.String("master_name", "");
  for (const auto& sentinel : config.redis.sentinels) {
    if (!ParseListenAddress(sentinel)) {
      redis.Problem("sentinels", "expected \"host:port\" entries with a port from 1 to 65535");
      break;
    }
  }
  if (config.redis.sentinels.empty() != config.redis.master_name.empty()) {
    redis.Problem(config.redis.sentinels.empty() ? "master_name" : "sentinels",
                  "sentinels and master_name go together: set both or neither");
  }
  redis.RejectUnknownKeys();
}

void ReadRabbitMq(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                  ConfigErrors& errors, Config& config) {
  SectionReader mq(root, "rabbitmq", source_name, env, errors);
  // One broker (url) or the nodes of a cluster (urls): exactly one of the two.
  auto& rabbitmq = config.rabbitmq;
  rabbitmq.url = mq.Url("url", "", {"amqp://"});
  rabbitmq.urls = mq.StringList("urls", {});
  if (std::any_of(rabbitmq.urls.begin(), rabbitmq.urls.end(), [](const std::string& url) {
        return url.rfind("amqp://", 0) != 0 || url.size() == 7;
      })) {
    mq.Problem("urls", "expected an array of URLs each starting with amqp://");
  }
  if (!rabbitmq.url.empty() && !rabbitmq.urls.empty()) {
    mq.Problem("urls", "set url (one broker) or urls (a cluster), not both");
  } else if (rabbitmq.url.empty() && rabbitmq.urls.empty()) {
    mq.Problem("url",
               "required key is missing (set url, or urls for a cluster, in the file or in "
               "CHATSHOP_RABBITMQ_URL or CHATSHOP_RABBITMQ_URLS)");
  }
  config.rabbitmq.inbound_shards =
      mq.Int("inbound_shards", config.rabbitmq.inbound_shards, 1, 1024);
  config.rabbitmq.name_prefix = mq.String("name_prefix", config.rabbitmq.name_prefix);
  config.rabbitmq.prefetch = mq.Int("prefetch", config.rabbitmq.prefetch, 1, 65535);
  config.rabbitmq.outbound_shards =
      mq.Int("outbound_shards", config.rabbitmq.outbound_shards, 1, 1024);
  config.rabbitmq.publish_timeout_ms =
      mq.Int("publish_timeout_ms", config.rabbitmq.publish_timeout_ms, 100, 60000);
  config.rabbitmq.max_waiting_messages =
      mq.Integer("max_waiting_messages", config.rabbitmq.max_waiting_messages, 1, 10000000);
  rabbitmq.queue_type = mq.Choice("queue_type", rabbitmq.queue_type, {"classic", "quorum"});
  rabbitmq.delivery_limit = mq.Int("delivery_limit", rabbitmq.delivery_limit, 1, 10000);
  mq.RejectUnknownKeys();
}

void ReadWorker(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                ConfigErrors& errors, Config& config) {
  SectionReader worker(root, "worker", source_name, env, errors);
  config.worker.outbox_batch = worker.Int("outbox_batch", config.worker.outbox_batch, 1, 1000);
  config.worker.outbox_idle_poll_ms =
      worker.Int("outbox_idle_poll_ms", config.worker.outbox_idle_poll_ms, 1, 60000);
  config.worker.outbox_max_attempts =
      worker.Int("outbox_max_attempts", config.worker.outbox_max_attempts, 1, 1000);
  config.worker.bot_threads = worker.Int("bot_threads", config.worker.bot_threads, 1, 64);
  config.worker.metrics_listen = worker.Listen("metrics_listen", config.worker.metrics_listen);
  worker.RejectUnknownKeys();
}

void ReadSender(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                ConfigErrors& errors, Config& config) {
  SectionReader sender(root, "sender", source_name, env, errors);
  auto& s = config.sender;
  s.threads = sender.Int("threads", s.threads, 1, 64);
  s.messages_per_second = sender.Int("messages_per_second", s.messages_per_second, 1, 10000);
  s.number_burst = sender.Int("number_burst", s.number_burst, 1, 10000);
  s.pair_interval_ms = sender.Int("pair_interval_ms", s.pair_interval_ms, 0, 600000);
  s.pair_burst = sender.Int("pair_burst", s.pair_burst, 1, 1000);
  s.backoff_base_ms = sender.Int("backoff_base_ms", s.backoff_base_ms, 1, 600000);
  s.backoff_cap_seconds = sender.Int("backoff_cap_seconds", s.backoff_cap_seconds, 1, 1000);
  s.max_inline_wait_ms = sender.Int("max_inline_wait_ms", s.max_inline_wait_ms, 0, 60000);
  s.credential_hold_seconds =
      sender.Int("credential_hold_seconds", s.credential_hold_seconds, 1, 86400);
  s.uncertain_wait_ms = sender.Int("uncertain_wait_ms", s.uncertain_wait_ms, 100, 600000);
  sender.RejectUnknownKeys();
}

void ReadLog(const toml::table& root, const std::string& source_name, const EnvLookup& env,
             ConfigErrors& errors, Config& config) {
  SectionReader log(root, "log", source_name, env, errors);
  config.log.level = log.Choice("level", config.log.level,
                                {"trace", "debug", "info", "warn", "error", "critical", "off"});
  config.log.format = log.Choice("format", config.log.format, {"text", "json"});
  log.RejectUnknownKeys();
}

void ReadOrders(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                ConfigErrors& errors, Config& config) {
  SectionReader orders(root, "orders", source_name, env, errors);
  config.orders.reservation_minutes =
      orders.Int("reservation_minutes", config.orders.reservation_minutes, 1, 7 * 24 * 60);
  config.orders.review_reminder_minutes =
      orders.Int("review_reminder_minutes", config.orders.review_reminder_minutes, 1, 7 * 24 * 60);
  config.orders.media_dir = orders.String("media_dir", config.orders.media_dir);
  config.orders.media_store =
      orders.Choice("media_store", config.orders.media_store, {"files", "postgres"});
  config.orders.media_max_bytes =
      orders.Integer("media_max_bytes", config.orders.media_max_bytes, 1024, int64_t{1} << 30);
  config.orders.timer_poll_ms = orders.Int("timer_poll_ms", config.orders.timer_poll_ms, 10, 60000);
  config.orders.max_price_rupees =
      orders.Integer("max_price_rupees", config.orders.max_price_rupees, 1, 1000000000);
  orders.RejectUnknownKeys();
}

void ReadLimits(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                ConfigErrors& errors, Config& config) {
  SectionReader limits(root, "limits", source_name, env, errors);
  auto& l = config.limits;
  l.customer_messages_per_minute =
      limits.Int("customer_messages_per_minute", l.customer_messages_per_minute, 1, 10000);
  l.message_chars_max = limits.Int("message_chars_max", l.message_chars_max, 100, 65536);
  l.cart_lines_max = limits.Int("cart_lines_max", l.cart_lines_max, 1, 1000);
  l.held_units_max = limits.Int("held_units_max", l.held_units_max, 1, 1000000);
  l.held_value_max_rupees =
      limits.Integer("held_value_max_rupees", l.held_value_max_rupees, 1, int64_t{1} << 40);
  l.proofs_per_order_max = limits.Int("proofs_per_order_max", l.proofs_per_order_max, 1, 100);
  l.text_messages_per_answer_max =
      limits.Int("text_messages_per_answer_max", l.text_messages_per_answer_max, 1, 50);
  limits.RejectUnknownKeys();
}

void ReadTemplates(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                   ConfigErrors& errors, Config& config) {
  SectionReader templates(root, "templates", source_name, env, errors);
  config.templates.dir = templates.String("dir", config.templates.dir);
  templates.RejectUnknownKeys();
}

// The sandbox section is optional: only chatshop-sandbox reads it.
void ReadSandbox(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                 ConfigErrors& errors, Config& config) {
  SectionReader sandbox(root, "sandbox", source_name, env, errors);
  config.sandbox.listen = sandbox.Listen("listen", config.sandbox.listen);
  config.sandbox.webhook_url = sandbox.Url("webhook_url", "", {"http://", "https://"});
  config.sandbox.webhook_ca_file = sandbox.String("webhook_ca_file", "");
  config.sandbox.access_token = sandbox.Secret("access_token", "");
  config.sandbox.messages_per_second =
      sandbox.Int("messages_per_second", config.sandbox.messages_per_second, 1, 100000);
  config.sandbox.pair_interval_ms =
      sandbox.Int("pair_interval_ms", config.sandbox.pair_interval_ms, 0, 600000);
  config.sandbox.pair_burst = sandbox.Int("pair_burst", config.sandbox.pair_burst, 1, 1000);
  sandbox.RejectUnknownKeys();
}

void ReadRetention(const toml::table& root, const std::string& source_name, const EnvLookup& env,
                   ConfigErrors& errors, Config& config) {
  SectionReader retention(root, "retention", source_name, env, errors);
  auto& r = config.retention;
  r.inbox_days = retention.Int("inbox_days", r.inbox_days, 7, 3650);
  r.message_status_days = retention.Int("message_status_days", r.message_status_days, 1, 3650);
  r.parked_days = retention.Int("parked_days", r.parked_days, 1, 3650);
  r.prune_interval_minutes =
      retention.Int("prune_interval_minutes", r.prune_interval_minutes, 0, 7 * 24 * 60);
  r.batch_rows = retention.Int("batch_rows", r.batch_rows, 1, 100000);
  retention.RejectUnknownKeys();
}

// One reader per section; a section not in this table is reported as unknown.
using SectionParser = void (*)(const toml::table&, const std::string&, const EnvLookup&,
                               ConfigErrors&, Config&);
const std::pair<std::string_view, SectionParser> kSectionReaders[] = {
    {"http", ReadHttp},           {"whatsapp", ReadWhatsApp},
    {"postgres", ReadPostgres},   {"redis", ReadRedis},
    {"rabbitmq", ReadRabbitMq},   {"worker", ReadWorker},
    {"sender", ReadSender},       {"log", ReadLog},
    {"orders", ReadOrders},       {"limits", ReadLimits},
    {"templates", ReadTemplates}, {"sandbox", ReadSandbox},
    {"retention", ReadRetention},
};

}  // namespace

tl::expected<Config, ConfigErrors> ParseConfig(std::string_view text,
                                               const std::string& source_name,
                                               const EnvLookup& env) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    // toml++ quotes the offending text in some descriptions; a secret may be that text.
    std::string description(e.description());
    if (description.find('\'') != std::string::npos || description.find('"') != std::string::npos) {
      description = "syntax error";
    }
    msg << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << description;
    return tl::unexpected(ConfigErrors{msg.str()});
  }

  Config config;
  config.source = source_name;
  ConfigErrors errors;

  for (const auto& section : kSectionReaders)
    section.second(root, source_name, env, errors, config);
  for (auto&& [key, node] : root) {
    const bool known = std::any_of(std::begin(kSectionReaders), std::end(kSectionReaders),
                                   [&](const auto& section) { return section.first == key.str(); });
    if (!known) {
      errors.push_back(source_name + ":" + std::to_string(node.source().begin.line) + ": [" +
                       std::string(key.str()) + "]: unknown section");
    }
  }

  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return config;
}

tl::expected<Config, ConfigErrors> LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(ConfigErrors{path + ": cannot open the config file"});
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

}  // namespace chatshop::common
