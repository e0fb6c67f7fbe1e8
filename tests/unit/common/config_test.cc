#include "common/config.h"

#include <gtest/gtest.h>

#include <map>

namespace chatshop::common {
namespace {

constexpr const char* kValid = R"(
[http]
listen = "127.0.0.1:8080"

[whatsapp]
app_secret = "s3cr3t-app"
verify_token = "v3r1fy"

[postgres]
url = "postgresql://chatshop:pw-db@127.0.0.1:5432/chatshop"

[redis]
url = "redis://127.0.0.1:6379/0"

[rabbitmq]
url = "amqp://guest:pw-mq@127.0.0.1:5672"
inbound_shards = 8
)";

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Joined(const ConfigErrors& errors) {
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  return all;
}

TEST(ConfigTest, ValidFileFillsEveryStructAndDefaults) {
  auto config = ParseConfig(kValid, "chatshop.toml", Env({}));
  ASSERT_TRUE(config) << Joined(config.error());
  EXPECT_EQ(config->http.listen.host, "127.0.0.1");
  EXPECT_EQ(config->http.listen.port, 8080);
  EXPECT_EQ(config->http.webhook_path, "/webhook");
  EXPECT_EQ(config->http.max_body_bytes, 3 * 1024 * 1024);
  EXPECT_EQ(config->whatsapp.app_secret, "s3cr3t-app");
  EXPECT_EQ(config->whatsapp.graph_version, "v24.0");
  EXPECT_EQ(config->rabbitmq.inbound_shards, 8);
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, "text");
}

TEST(ConfigTest, EnvironmentOverridesFileKeys) {
  auto config = ParseConfig(kValid, "chatshop.toml",
                            Env({{"CHATSHOP_WHATSAPP_APP_SECRET", "from-env"},
                                 {"CHATSHOP_RABBITMQ_INBOUND_SHARDS", "16"},
                                 {"CHATSHOP_LOG_FORMAT", "json"}}));
  ASSERT_TRUE(config) << Joined(config.error());
  EXPECT_EQ(config->whatsapp.app_secret, "from-env");
  EXPECT_EQ(config->rabbitmq.inbound_shards, 16);
  EXPECT_EQ(config->log.format, "json");
}

TEST(ConfigTest, EmptyEnvironmentOverrideOfARequiredKeyIsAnError) {
  auto config = ParseConfig(
      kValid, "c.toml", Env({{"CHATSHOP_POSTGRES_URL", ""}, {"CHATSHOP_WHATSAPP_APP_SECRET", ""}}));
  ASSERT_FALSE(config);
  const std::string all = Joined(config.error());
  EXPECT_NE(all.find("environment CHATSHOP_POSTGRES_URL: [postgres] url: must not be empty"),
            std::string::npos)
      << all;
  EXPECT_NE(
      all.find(
          "environment CHATSHOP_WHATSAPP_APP_SECRET: [whatsapp] app_secret: must not be empty"),
      std::string::npos)
      << all;
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  std::string text = std::string(kValid) + "\n[log]\nlevle = \"debug\"\n";
  auto config = ParseConfig(text, "/etc/chatshop.toml", Env({}));
  ASSERT_FALSE(config);
  ASSERT_EQ(config.error().size(), 1u) << Joined(config.error());
  EXPECT_EQ(config.error()[0], "/etc/chatshop.toml:20: [log] levle: unknown key");
}

TEST(ConfigTest, WrongTypeNamesKeyAndTypesButNotTheValue) {
  std::string text = kValid;
  text.replace(text.find("\"s3cr3t-app\""), 12, "987654321");
  auto config = ParseConfig(text, "c.toml", Env({}));
  ASSERT_FALSE(config);
  const std::string all = Joined(config.error());
  EXPECT_NE(all.find("c.toml:6: [whatsapp] app_secret: expected a string, found an integer"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("987654321"), std::string::npos) << "a secret leaked into: " << all;
}

TEST(ConfigTest, EveryMissingRequiredKeyIsReportedWithItsVariable) {
  auto config = ParseConfig("[http]\nlisten = \"127.0.0.1:1\"\n", "c.toml", Env({}));
  ASSERT_FALSE(config);
  const std::string all = Joined(config.error());
  for (const char* key : {"[whatsapp] app_secret", "[whatsapp] verify_token", "[postgres] url",
                          "[redis] url", "[rabbitmq] url"}) {
    EXPECT_NE(all.find(key), std::string::npos) << key << " not reported in:\n" << all;
  }
  EXPECT_NE(all.find("CHATSHOP_WHATSAPP_APP_SECRET"), std::string::npos);
}

TEST(ConfigTest, EmptyAppSecretIsRefused) {
  std::string text = kValid;
  text.replace(text.find("\"s3cr3t-app\""), 12, "\"\"");
  auto config = ParseConfig(text, "c.toml", Env({}));
  ASSERT_FALSE(config);
  EXPECT_NE(Joined(config.error()).find("[whatsapp] app_secret: must not be empty"),
            std::string::npos);
}

TEST(ConfigTest, BadValuesAreExplainedWithoutQuotingUrls) {
  std::string text = kValid;
  text.replace(text.find("\"127.0.0.1:8080\""), 16, "\"localhost\"");
  text.replace(text.find("amqp://"), 7, "http://");
  auto config = ParseConfig(text, "c.toml", Env({{"CHATSHOP_HTTP_THREADS", "many"}}));
  ASSERT_FALSE(config);
  const std::string all = Joined(config.error());
  EXPECT_NE(all.find("[http] listen: expected \"host:port\""), std::string::npos) << all;
  EXPECT_NE(all.find("[rabbitmq] url: expected a URL starting with amqp://"), std::string::npos)
      << all;
  EXPECT_NE(all.find("environment CHATSHOP_HTTP_THREADS: expected an integer"), std::string::npos)
      << all;
  EXPECT_EQ(all.find("pw-mq"), std::string::npos) << "a password leaked into: " << all;
}

TEST(ConfigTest, OutOfRangeAndUnknownSectionAreErrors) {
  std::string text = std::string(kValid) + "\n[metrics]\nport = 1\n";
  text.replace(text.find("inbound_shards = 8"), 18, "inbound_shards = 0");
  auto config = ParseConfig(text, "c.toml", Env({}));
  ASSERT_FALSE(config);
  const std::string all = Joined(config.error());
  EXPECT_NE(all.find("[rabbitmq] inbound_shards: must be between 1 and 1024"), std::string::npos)
      << all;
  EXPECT_NE(all.find("[metrics]: unknown section"), std::string::npos) << all;
}

TEST(ConfigTest, SyntaxErrorNamesLineAndColumn) {
  auto config = ParseConfig("[http]\nlisten = \n", "broken.toml", Env({}));
  ASSERT_FALSE(config);
  ASSERT_EQ(config.error().size(), 1u);
  EXPECT_EQ(config.error()[0].rfind("broken.toml:2:", 0), 0u) << config.error()[0];
}

TEST(ConfigTest, MissingFileIsNamed) {
  auto config = LoadConfigFile("/nonexistent/chatshop.toml", Env({}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error()[0], "/nonexistent/chatshop.toml: cannot open the config file");
}

TEST(ConfigTest, ExampleConfigIsValidOnceItsPlaceholderSecretsAreReplaced) {
  const std::string example = std::string(CHATSHOP_SOURCE_DIR) + "/config/chatshop.example.toml";
  auto as_is = LoadConfigFile(example, Env({}));
  ASSERT_FALSE(as_is) << "the example's change-me secrets must not start anything";
  ASSERT_EQ(as_is.error().size(), 2u) << Joined(as_is.error());
  EXPECT_NE(as_is.error()[0].find("[whatsapp] app_secret: is a placeholder"), std::string::npos)
      << as_is.error()[0];
  EXPECT_NE(as_is.error()[1].find("[whatsapp] verify_token: is a placeholder"), std::string::npos)
      << as_is.error()[1];
  EXPECT_EQ(Joined(as_is.error()).find("change-me"), std::string::npos) << "never the value";
  auto config = LoadConfigFile(example, Env({{"CHATSHOP_WHATSAPP_APP_SECRET", "4f1c9e0b7a2d"},
                                             {"CHATSHOP_WHATSAPP_VERIFY_TOKEN", "9d8e7f6a5b4c"}}));
  ASSERT_TRUE(config) << Joined(config.error());
}

// [orders] max_price_rupees (money and approvals).
TEST(ConfigTest, MaxPriceRupeesHasASensibleDefaultAndARange) {
  auto config = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(config) << Joined(config.error());
  EXPECT_EQ(config->orders.max_price_rupees, 1000000);
  auto set =
      ParseConfig(std::string(kValid) + "\n[orders]\nmax_price_rupees = 5000\n", "c.toml", Env({}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(set->orders.max_price_rupees, 5000);
  auto zero =
      ParseConfig(std::string(kValid) + "\n[orders]\nmax_price_rupees = 0\n", "c.toml", Env({}));
  ASSERT_FALSE(zero);
  EXPECT_NE(
      Joined(zero.error()).find("[orders] max_price_rupees: must be between 1 and 1000000000"),
      std::string::npos)
      << Joined(zero.error());
  auto env = ParseConfig(kValid, "c.toml", Env({{"CHATSHOP_ORDERS_MAX_PRICE_RUPEES", "250"}}));
  ASSERT_TRUE(env);
  EXPECT_EQ(env->orders.max_price_rupees, 250);
}

// [redis] url with a password; rediss:// (money and approvals).
TEST(ConfigTest, RedisUrlsWithAPasswordAreAcceptedAndTlsIsRefusedClearly) {
  std::string with_password = kValid;
  with_password.replace(with_password.find("redis://127.0.0.1"), 17, "redis://:pw-redis@127.0.0.1");
  auto config = ParseConfig(with_password, "c.toml", Env({}));
  ASSERT_TRUE(config) << Joined(config.error());
  EXPECT_EQ(config->redis.url, "redis://:pw-redis@127.0.0.1:6379/0");

  auto tls = ParseConfig(kValid, "c.toml",
                         Env({{"CHATSHOP_REDIS_URL", "rediss://:pw-redis@cache:6380/0"}}));
  ASSERT_FALSE(tls);
  const std::string all = Joined(tls.error());
  EXPECT_NE(all.find("environment CHATSHOP_REDIS_URL: [redis] url: rediss:// (Redis over TLS) is "
                     "not supported"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("pw-redis"), std::string::npos) << "a password leaked into: " << all;

  std::string bad = kValid;
  bad.replace(bad.find("redis://127.0.0.1:6379/0"), 24, "redis://:pw-redis@127.0.0.1:6379/zero");
  auto wrong = ParseConfig(bad, "c.toml", Env({}));
  ASSERT_FALSE(wrong);
  EXPECT_NE(Joined(wrong.error())
                .find("c.toml:13: [redis] url: the database after the host must be a number"),
            std::string::npos)
      << Joined(wrong.error());
  EXPECT_EQ(Joined(wrong.error()).find("pw-redis"), std::string::npos);
}

// [whatsapp] media_hosts (money and approvals).
TEST(ConfigTest, MediaHostsDefaultToMetasAndAreChecked) {
  auto config = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->whatsapp.media_hosts,
            (std::vector<std::string>{"lookaside.fbsbx.com", "*.fbcdn.net"}));
  std::string own = kValid;
  own.replace(own.find("verify_token"), 0,
              "media_hosts = [\"media.example.com\", \"*.cdn.example.com\"]\n");
  auto set = ParseConfig(own, "c.toml", Env({}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(set->whatsapp.media_hosts,
            (std::vector<std::string>{"media.example.com", "*.cdn.example.com"}));
  auto env = ParseConfig(kValid, "c.toml",
                         Env({{"CHATSHOP_WHATSAPP_MEDIA_HOSTS", "a.example, b.example"}}));
  ASSERT_TRUE(env);
  EXPECT_EQ(env->whatsapp.media_hosts, (std::vector<std::string>{"a.example", "b.example"}));
  for (const char* value : {"[\"https://evil.example\"]", "[\"host:443\"]", "[\"*\"]", "[\"\"]",
                            "\"lookaside.fbsbx.com\"", "[1]"}) {
    std::string text = kValid;
    text.replace(text.find("verify_token"), 0, std::string("media_hosts = ") + value + "\n");
    auto refused = ParseConfig(text, "c.toml", Env({}));
    ASSERT_FALSE(refused) << value;
    EXPECT_NE(Joined(refused.error()).find("[whatsapp] media_hosts: expected"), std::string::npos)
        << Joined(refused.error());
  }
}

TEST(ConfigTest, PlaceholderSecretsAreRefusedNamingTheKeyNotTheValue) {
  for (const std::string placeholder : {"change-me", "change-me-too", "CHANGE-ME-please",
                                        "changeme", "sandbox-token", "<your app secret>"}) {
    std::string text = kValid;
    text.replace(text.find("s3cr3t-app"), 10, placeholder);
    text += "[sandbox]\naccess_token = \"" + placeholder + "\"\n";
    auto config = ParseConfig(text, "chatshop.toml", Env({}));
    ASSERT_FALSE(config) << placeholder;
    const std::string all = Joined(config.error());
    EXPECT_NE(all.find("chatshop.toml:6: [whatsapp] app_secret: is a placeholder"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("[sandbox] access_token: is a placeholder"), std::string::npos) << all;
    EXPECT_EQ(config.error().size(), 2u) << all;
    EXPECT_EQ(all.find(placeholder), std::string::npos) << "the value is never quoted: " << all;
  }
  // From the environment too, named by its variable.
  auto from_env = ParseConfig(kValid, "chatshop.toml",
                              Env({{"CHATSHOP_WHATSAPP_VERIFY_TOKEN", "change-me-too"}}));
  ASSERT_FALSE(from_env);
  EXPECT_EQ(from_env.error()[0],
            "environment CHATSHOP_WHATSAPP_VERIFY_TOKEN: [whatsapp] verify_token: is a placeholder "
            "from the example config: set a value of your own (e.g. openssl rand -hex 24)");
  // Real secrets that merely contain such words pass.
  EXPECT_FALSE(IsPlaceholderSecret("my-secret-2f9c1a"));
  EXPECT_FALSE(IsPlaceholderSecret("e2e-app-secret"));
  EXPECT_TRUE(IsPlaceholderSecret("Change_Me"));
  EXPECT_TRUE(IsPlaceholderSecret("secret"));
  EXPECT_TRUE(IsPlaceholderSecret("password"));
}

TEST(ConfigTest, RetentionHasDefaultsAndKeepsTheInboxBeyondMetasRedeliveries) {
  auto defaults = ParseConfig(kValid, "chatshop.toml", Env({}));
  ASSERT_TRUE(defaults) << Joined(defaults.error());
  EXPECT_EQ(defaults->retention.inbox_days, 30);
  EXPECT_EQ(defaults->retention.message_status_days, 90);
  EXPECT_EQ(defaults->retention.parked_days, 14);
  EXPECT_EQ(defaults->retention.prune_interval_minutes, 60);
  EXPECT_EQ(defaults->retention.batch_rows, 1000);
  auto set =
      ParseConfig(std::string(kValid) +
                      "[retention]\ninbox_days = 45\nmessage_status_days = 10\nparked_days = 3\n"
                      "prune_interval_minutes = 0\nbatch_rows = 50\n",
                  "chatshop.toml", Env({{"CHATSHOP_RETENTION_PARKED_DAYS", "5"}}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(set->retention.inbox_days, 45);
  EXPECT_EQ(set->retention.message_status_days, 10);
  EXPECT_EQ(set->retention.parked_days, 5);
  EXPECT_EQ(set->retention.prune_interval_minutes, 0);
  EXPECT_EQ(set->retention.batch_rows, 50);
  auto short_inbox = ParseConfig(std::string(kValid) + "[retention]\ninbox_days = 3\nbatch = 1\n",
                                 "chatshop.toml", Env({}));
  ASSERT_FALSE(short_inbox);
  const std::string all = Joined(short_inbox.error());
  EXPECT_NE(all.find("[retention] inbox_days: must be between 7 and 3650"), std::string::npos)
      << all;
  EXPECT_NE(all.find("[retention] batch: unknown key"), std::string::npos) << all;
}

// [limits] (issue 13): defaults, every key read, environment overrides, unknown keys and ranges.
TEST(ConfigTest, LimitsHaveDefaultsAndEveryKeyIsRead) {
  auto defaults = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(defaults) << Joined(defaults.error());
  EXPECT_EQ(defaults->limits.customer_messages_per_minute, 20);
  EXPECT_EQ(defaults->limits.message_chars_max, 4000);
  EXPECT_EQ(defaults->limits.cart_lines_max, 50);
  EXPECT_EQ(defaults->limits.held_units_max, 200);
  EXPECT_EQ(defaults->limits.held_value_max_rupees, 50000);
  EXPECT_EQ(defaults->limits.proofs_per_order_max, 5);
  EXPECT_EQ(defaults->limits.text_messages_per_answer_max, 5);

  const std::string text = std::string(kValid) +
                           "[limits]\ncustomer_messages_per_minute = 7\nmessage_chars_max = 900\n"
                           "cart_lines_max = 3\nheld_units_max = 40\nheld_value_max_rupees = 900\n"
                           "proofs_per_order_max = 2\ntext_messages_per_answer_max = 1\n";
  auto config = ParseConfig(text, "c.toml", Env({{"CHATSHOP_LIMITS_CART_LINES_MAX", "4"}}));
  ASSERT_TRUE(config) << Joined(config.error());
  EXPECT_EQ(config->limits.customer_messages_per_minute, 7);
  EXPECT_EQ(config->limits.message_chars_max, 900);
  EXPECT_EQ(config->limits.cart_lines_max, 4) << "the environment wins";
  EXPECT_EQ(config->limits.held_units_max, 40);
  EXPECT_EQ(config->limits.held_value_max_rupees, 900);
  EXPECT_EQ(config->limits.proofs_per_order_max, 2);
  EXPECT_EQ(config->limits.text_messages_per_answer_max, 1);

  auto bad = ParseConfig(
      std::string(kValid) + "[limits]\ncustomer_messages_per_minute = 0\nmessages_per_hour = 5\n",
      "c.toml", Env({}));
  ASSERT_FALSE(bad);
  const std::string all = Joined(bad.error());
  EXPECT_NE(all.find("[limits] customer_messages_per_minute: must be between 1 and 10000"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("messages_per_hour"), std::string::npos) << all;
}

// [rabbitmq] urls (issue 15): the nodes of a cluster instead of one url; exactly one of the two.
std::string WithRabbitUrls(const std::string& urls_line, bool keep_url = false) {
  std::string text = kValid;
  const size_t line = text.find("url = \"amqp://");
  const size_t end = text.find('\n', line);
  text.replace(line, keep_url ? 0 : end - line, urls_line + (keep_url ? "\n" : ""));
  return text;
}

TEST(ConfigTest, RabbitMqUrlsListTheNodesOfACluster) {
  auto single = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(single) << Joined(single.error());
  EXPECT_EQ(single->rabbitmq.url, "amqp://guest:pw-mq@127.0.0.1:5672");
  EXPECT_TRUE(single->rabbitmq.urls.empty());

  auto cluster = ParseConfig(
      WithRabbitUrls(
          R"(urls = ["amqp://u:pw-mq@127.0.0.1:5672", "amqp://u:pw-mq@127.0.0.1:5673"])"),
      "c.toml", Env({}));
  ASSERT_TRUE(cluster) << Joined(cluster.error());
  EXPECT_EQ(cluster->rabbitmq.url, "");
  EXPECT_EQ(cluster->rabbitmq.urls, (std::vector<std::string>{"amqp://u:pw-mq@127.0.0.1:5672",
                                                              "amqp://u:pw-mq@127.0.0.1:5673"}));

  // From the environment: a comma-separated list.
  auto env = ParseConfig(WithRabbitUrls(""), "c.toml",
                         Env({{"CHATSHOP_RABBITMQ_URLS", "amqp://a:1, amqp://b:2,amqp://c:3"}}));
  ASSERT_TRUE(env) << Joined(env.error());
  EXPECT_EQ(env->rabbitmq.urls,
            (std::vector<std::string>{"amqp://a:1", "amqp://b:2", "amqp://c:3"}));
}

TEST(ConfigTest, RabbitMqUrlAndUrlsTogetherOrNeitherAreRefused) {
  auto both =
      ParseConfig(WithRabbitUrls(R"(urls = ["amqp://u:pw-mq@h2:5672"])", true), "c.toml", Env({}));
  ASSERT_FALSE(both);
  EXPECT_EQ(Joined(both.error()),
            "c.toml:16: [rabbitmq] urls: set url (one broker) or urls (a cluster), not both\n");
  auto both_env = ParseConfig(kValid, "c.toml", Env({{"CHATSHOP_RABBITMQ_URLS", "amqp://h2:1"}}));
  ASSERT_FALSE(both_env);
  EXPECT_NE(Joined(both_env.error()).find("not both"), std::string::npos);

  for (const std::string& text : {WithRabbitUrls(""), WithRabbitUrls("urls = []")}) {
    auto neither = ParseConfig(text, "c.toml", Env({}));
    ASSERT_FALSE(neither);
    const std::string all = Joined(neither.error());
    EXPECT_NE(
        all.find("c.toml: [rabbitmq] url: required key is missing (set url, or urls for a "
                 "cluster, in the file or in CHATSHOP_RABBITMQ_URL or CHATSHOP_RABBITMQ_URLS)"),
        std::string::npos)
        << all;
  }
}

TEST(ConfigTest, RabbitMqUrlsMustBeAnArrayOfAmqpUrlsAndAreNeverQuoted) {
  struct Case {
    std::string line;
    std::string problem;
  };
  for (const auto& [line, problem] : std::vector<Case>{
           {R"(urls = "amqp://u:pw-mq@h1:5672")",
            "c.toml:16: [rabbitmq] urls: expected an array of strings, found a string"},
           {R"(urls = ["amqp://u:pw-mq@h1:5672", 5673])",
            "c.toml:16: [rabbitmq] urls: expected an array of strings"},
           {R"(urls = ["amqp://u:pw-mq@h1:5672", "http://u:pw-mq@h2:5672"])",
            "c.toml:16: [rabbitmq] urls: expected an array of URLs each starting with amqp://"},
           {R"(urls = ["amqp://"])",
            "c.toml:16: [rabbitmq] urls: expected an array of URLs each starting with amqp://"},
       }) {
    auto refused = ParseConfig(WithRabbitUrls(line), "c.toml", Env({}));
    ASSERT_FALSE(refused) << line;
    const std::string all = Joined(refused.error());
    EXPECT_NE(all.find(problem), std::string::npos) << line << "\n" << all;
    EXPECT_EQ(all.find("pw-mq"), std::string::npos) << "a password leaked into: " << all;
  }
  auto env = ParseConfig(WithRabbitUrls(""), "c.toml",
                         Env({{"CHATSHOP_RABBITMQ_URLS", "amqp://u:pw-mq@h1:1,redis://h2:2"}}));
  ASSERT_FALSE(env);
  EXPECT_NE(Joined(env.error())
                .find("environment CHATSHOP_RABBITMQ_URLS: [rabbitmq] urls: "
                      "expected an array of URLs each starting with amqp://"),
            std::string::npos)
      << Joined(env.error());
  EXPECT_EQ(Joined(env.error()).find("pw-mq"), std::string::npos);
}

// [rabbitmq] queue_type and delivery_limit (issue 15).
TEST(ConfigTest, RabbitMqQueueTypeIsClassicByDefaultAndQuorumHasADeliveryLimit) {
  auto defaults = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(defaults) << Joined(defaults.error());
  EXPECT_EQ(defaults->rabbitmq.queue_type, "classic");
  EXPECT_EQ(defaults->rabbitmq.delivery_limit, 20);

  auto quorum = ParseConfig(std::string(kValid) + "queue_type = \"quorum\"\ndelivery_limit = 5\n",
                            "c.toml", Env({}));
  ASSERT_TRUE(quorum) << Joined(quorum.error());
  EXPECT_EQ(quorum->rabbitmq.queue_type, "quorum");
  EXPECT_EQ(quorum->rabbitmq.delivery_limit, 5);
  auto env = ParseConfig(
      kValid, "c.toml",
      Env({{"CHATSHOP_RABBITMQ_QUEUE_TYPE", "quorum"}, {"CHATSHOP_RABBITMQ_DELIVERY_LIMIT", "1"}}));
  ASSERT_TRUE(env) << Joined(env.error());
  EXPECT_EQ(env->rabbitmq.queue_type, "quorum");
  EXPECT_EQ(env->rabbitmq.delivery_limit, 1);

  struct Case {
    std::string lines;
    std::string problem;
  };
  for (const auto& [lines, problem] : std::vector<Case>{
           {"queue_type = \"mirrored\"\n",
            "c.toml:18: [rabbitmq] queue_type: must be one of: classic, quorum"},
           {"queue_type = true\n",
            "c.toml:18: [rabbitmq] queue_type: expected a string, found a boolean"},
           {"delivery_limit = 0\n",
            "c.toml:18: [rabbitmq] delivery_limit: must be between 1 and 10000"},
           {"delivery_limit = \"20\"\n",
            "c.toml:18: [rabbitmq] delivery_limit: expected an integer, found a string"},
       }) {
    auto refused = ParseConfig(std::string(kValid) + lines, "c.toml", Env({}));
    ASSERT_FALSE(refused) << lines;
    EXPECT_NE(Joined(refused.error()).find(problem), std::string::npos)
        << lines << Joined(refused.error());
  }
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto a = ParseListenAddress("0.0.0.0:443");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 443);
  EXPECT_FALSE(ParseListenAddress("host:"));
  EXPECT_FALSE(ParseListenAddress(":80"));
  EXPECT_FALSE(ParseListenAddress("host:70000"));
  EXPECT_FALSE(ParseListenAddress("host:8o"));
}

// [redis] sentinels and master_name (issue 15): both or neither, each "host:port".
TEST(ConfigTest, RedisSentinelsComeWithAMasterNameAndAreChecked) {
  auto plain = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(plain) << Joined(plain.error());
  EXPECT_TRUE(plain->redis.sentinels.empty());
  EXPECT_EQ(plain->redis.master_name, "");

  std::string with = kValid;
  with.replace(with.find("[rabbitmq]"), 0,
               "sentinels = [\"10.0.0.1:26379\", \"sentinel-b:26380\"]\n"
               "master_name = \"chatshop\"\n\n");
  auto set = ParseConfig(with, "c.toml", Env({}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(set->redis.sentinels, (std::vector<std::string>{"10.0.0.1:26379", "sentinel-b:26380"}));
  EXPECT_EQ(set->redis.master_name, "chatshop");

  auto env = ParseConfig(
      kValid, "c.toml",
      Env({{"CHATSHOP_REDIS_SENTINELS", "a:1, b:2"}, {"CHATSHOP_REDIS_MASTER_NAME", "m"}}));
  ASSERT_TRUE(env) << Joined(env.error());
  EXPECT_EQ(env->redis.sentinels, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(env->redis.master_name, "m");

  auto alone = ParseConfig(kValid, "c.toml", Env({{"CHATSHOP_REDIS_SENTINELS", "a:1"}}));
  ASSERT_FALSE(alone);
  EXPECT_NE(Joined(alone.error())
                .find("[redis] sentinels: sentinels and master_name go together: set both or "
                      "neither"),
            std::string::npos)
      << Joined(alone.error());
  auto name_alone = ParseConfig(kValid, "c.toml", Env({{"CHATSHOP_REDIS_MASTER_NAME", "m"}}));
  ASSERT_FALSE(name_alone);
  EXPECT_NE(Joined(name_alone.error()).find("[redis] master_name: sentinels and master_name"),
            std::string::npos)
      << Joined(name_alone.error());

  std::string bad = kValid;
  bad.replace(bad.find("[rabbitmq]"), 0,
              "sentinels = [\"10.0.0.1\"]\nmaster_name = \"chatshop\"\n\n");
  auto no_port = ParseConfig(bad, "c.toml", Env({}));
  ASSERT_FALSE(no_port);
  EXPECT_NE(
      Joined(no_port.error()).find("c.toml:15: [redis] sentinels: expected \"host:port\" entries"),
      std::string::npos)
      << Joined(no_port.error());
}

// [postgres] read_url (issue 15): optional, a PostgreSQL URL.
TEST(ConfigTest, PostgresReadUrlIsOptionalAndChecked) {
  auto plain = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(plain) << Joined(plain.error());
  EXPECT_EQ(plain->postgres.read_url, "");
  auto set = ParseConfig(kValid, "c.toml",
                         Env({{"CHATSHOP_POSTGRES_READ_URL",
                               "postgresql://chatshop:pw-db@db1:5432,db2:5432/"
                               "chatshop?target_session_attrs=prefer-standby"}}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(
      set->postgres.read_url,
      "postgresql://chatshop:pw-db@db1:5432,db2:5432/chatshop?target_session_attrs=prefer-standby");
  std::string wrong = kValid;
  wrong.replace(wrong.find("\n[redis]"), 0, "read_url = \"mysql://x:pw-db@h/db\"\n");
  auto bad = ParseConfig(wrong, "c.toml", Env({}));
  ASSERT_FALSE(bad);
  EXPECT_NE(Joined(bad.error())
                .find("c.toml:11: [postgres] read_url: expected a URL starting with postgresql://"),
            std::string::npos)
      << Joined(bad.error());
  EXPECT_EQ(Joined(bad.error()).find("pw-db"), std::string::npos);
}

// [orders] media_store (issue 15): files by default, or postgres; nothing else.
TEST(ConfigTest, MediaStoreIsFilesOrPostgres) {
  auto plain = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(plain) << Joined(plain.error());
  EXPECT_EQ(plain->orders.media_store, "files");
  auto pg = ParseConfig(std::string(kValid) + "\n[orders]\nmedia_store = \"postgres\"\n", "c.toml",
                        Env({}));
  ASSERT_TRUE(pg) << Joined(pg.error());
  EXPECT_EQ(pg->orders.media_store, "postgres");
  auto bad = ParseConfig(kValid, "c.toml", Env({{"CHATSHOP_ORDERS_MEDIA_STORE", "s3"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(Joined(bad.error())
                .find("environment CHATSHOP_ORDERS_MEDIA_STORE: [orders] media_store: must be one "
                      "of: files, postgres"),
            std::string::npos)
      << Joined(bad.error());
}

// [sandbox] webhook_ca_file (issue 15): optional, a path.
TEST(ConfigTest, SandboxWebhookCaFileIsOptional) {
  auto plain = ParseConfig(kValid, "c.toml", Env({}));
  ASSERT_TRUE(plain) << Joined(plain.error());
  EXPECT_EQ(plain->sandbox.webhook_ca_file, "");
  auto set = ParseConfig(std::string(kValid) +
                             "\n[sandbox]\nwebhook_url = \"https://shop.test/webhook\"\n"
                             "webhook_ca_file = \"/etc/chatshop/local-ca.pem\"\n",
                         "c.toml", Env({}));
  ASSERT_TRUE(set) << Joined(set.error());
  EXPECT_EQ(set->sandbox.webhook_ca_file, "/etc/chatshop/local-ca.pem");
  EXPECT_EQ(set->sandbox.webhook_url, "https://shop.test/webhook");
}

}  // namespace
}  // namespace chatshop::common
