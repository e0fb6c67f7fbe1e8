#include "apps/wiring.h"

#include <gtest/gtest.h>

namespace chatshop::apps {
namespace {

// Every key of a section gets a value unlike its default, so a key the wiring drops shows.
common::Config Unusual() {
  common::Config config;
  auto& mq = config.rabbitmq;
  mq.url = "amqp://u:p@mq:5673/vh";
  mq.name_prefix = "t1";
  mq.inbound_shards = 7;
  mq.prefetch = 9;
  mq.outbound_shards = 11;
  mq.publish_timeout_ms = 1234;
  mq.max_waiting_messages = 56;
  mq.urls = {"amqp://u:p@mq1:5672", "amqp://u:p@mq2:5672"};
  mq.queue_type = "quorum";
  mq.delivery_limit = 3;
  auto& w = config.whatsapp;
  w.graph_base_url = "http://127.0.0.1:9";
  w.graph_version = "v99.0";
  w.request_timeout_ms = 777;
  w.media_hosts = {"cdn.example", "*.example.net"};
  auto& r = config.redis;
  r.url = "redis://cache:6380/3";
  r.key_prefix = "t2";
  r.cache_ttl_seconds = 42;
  r.sentinels = {"s1:26379", "s2:26380"};
  r.master_name = "cs-master";
  auto& s = config.sender;
  s.number_burst = 3;
  s.pair_interval_ms = 4321;
  s.pair_burst = 5;
  return config;
}

TEST(WiringTest, RabbitSettingsCarryEveryRabbitMqKey) {
  const auto settings = RabbitSettingsOf(Unusual());
  EXPECT_EQ(settings.url, "amqp://u:p@mq:5673/vh");
  EXPECT_EQ(settings.name_prefix, "t1");
  EXPECT_EQ(settings.inbound_shards, 7);
  EXPECT_EQ(settings.prefetch, 9);
  EXPECT_EQ(settings.outbound_shards, 11);  // the gateway's own copy once dropped this one
  EXPECT_EQ(settings.publish_timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(settings.max_waiting_messages, 56u);
  EXPECT_EQ(settings.urls,
            (std::vector<std::string>{"amqp://u:p@mq1:5672", "amqp://u:p@mq2:5672"}));
  EXPECT_EQ(settings.Brokers(), settings.urls) << "the list wins over url";
  EXPECT_EQ(settings.queue_type, infra::QueueType::kQuorum);
  EXPECT_EQ(settings.delivery_limit, 3);
  EXPECT_EQ(RabbitSettingsOf(common::Config{}).queue_type, infra::QueueType::kClassic);
  infra::RabbitSettings single;
  single.url = "amqp://u:p@mq:5672";
  EXPECT_EQ(single.Brokers(), std::vector<std::string>{"amqp://u:p@mq:5672"});
}

TEST(WiringTest, GraphApiSettingsCarryTheWhatsAppKeys) {
  const auto settings = GraphApiSettingsOf(Unusual());
  EXPECT_EQ(settings.base_url, "http://127.0.0.1:9");
  EXPECT_EQ(settings.version, "v99.0");
  EXPECT_EQ(settings.timeout_ms, 777);
  EXPECT_EQ(settings.media_hosts, (std::vector<std::string>{"cdn.example", "*.example.net"}));
}

TEST(WiringTest, RedisSettingsCarryTheRedisAndSenderKeys) {
  const auto config = Unusual();
  const auto cache = CatalogCacheSettingsOf(config);
  const std::vector<std::string> sentinels = {"s1:26379", "s2:26380"};
  EXPECT_EQ(cache.target.url, "redis://cache:6380/3");
  EXPECT_EQ(cache.target.sentinels, sentinels);
  EXPECT_EQ(cache.target.master_name, "cs-master");
  EXPECT_EQ(cache.key_prefix, "t2");
  EXPECT_EQ(cache.ttl_seconds, 42);
  const auto limiter = CustomerLimiterSettingsOf(config);
  EXPECT_EQ(limiter.redis.url, "redis://cache:6380/3");
  EXPECT_EQ(limiter.redis.sentinels, sentinels);
  EXPECT_EQ(limiter.redis.master_name, "cs-master");
  EXPECT_EQ(limiter.key_prefix, "t2");
  const auto pacer = PacerSettingsOf(config);
  EXPECT_EQ(pacer.redis.url, "redis://cache:6380/3");
  EXPECT_EQ(pacer.redis.sentinels, sentinels);
  EXPECT_EQ(pacer.redis.master_name, "cs-master");
  EXPECT_EQ(pacer.key_prefix, "t2");
  EXPECT_EQ(pacer.number_burst, 3);
  EXPECT_EQ(pacer.pair_interval_ms, 4321);
  EXPECT_EQ(pacer.pair_burst, 5);
}

TEST(WiringTest, StaleReadsGoToReadUrlOrElseUrl) {
  common::Config config;
  config.postgres.url = "postgresql://primary/db";
  EXPECT_EQ(PostgresReadUrlOf(config), "postgresql://primary/db");
  config.postgres.read_url = "postgresql://replica/db";
  EXPECT_EQ(PostgresReadUrlOf(config), "postgresql://replica/db");
}

}  // namespace
}  // namespace chatshop::apps
