#include "apps/wiring.h"

namespace chatshop::apps {

infra::RabbitSettings RabbitSettingsOf(const common::Config& config) {
  const auto& mq = config.rabbitmq;
  infra::RabbitSettings settings;
  settings.url = mq.url;
  settings.urls = mq.urls;
  settings.name_prefix = mq.name_prefix;
  settings.inbound_shards = mq.inbound_shards;
  settings.prefetch = mq.prefetch;
  settings.outbound_shards = mq.outbound_shards;
  settings.publish_timeout = std::chrono::milliseconds(mq.publish_timeout_ms);
  settings.max_waiting_messages = static_cast<size_t>(mq.max_waiting_messages);
  settings.queue_type =
      mq.queue_type == "quorum" ? infra::QueueType::kQuorum : infra::QueueType::kClassic;
  settings.delivery_limit = mq.delivery_limit;
  return settings;
}

infra::GraphApiSettings GraphApiSettingsOf(const common::Config& config) {
  const auto& w = config.whatsapp;
  return {w.graph_base_url, w.graph_version, w.request_timeout_ms, w.media_hosts};
}

std::string PostgresReadUrlOf(const common::Config& config) {
  return config.postgres.read_url.empty() ? config.postgres.url : config.postgres.read_url;
}

infra::RedisTarget RedisTargetOf(const common::Config& config) {
  const auto& r = config.redis;
  return {r.url, r.sentinels, r.master_name};
}

infra::RedisSettings CatalogCacheSettingsOf(const common::Config& config) {
  const auto& r = config.redis;
  return {RedisTargetOf(config), r.key_prefix, r.cache_ttl_seconds};
}

infra::CustomerLimiterSettings CustomerLimiterSettingsOf(const common::Config& config) {
  return {RedisTargetOf(config), config.redis.key_prefix};
}

infra::PacerSettings PacerSettingsOf(const common::Config& config) {
  const auto& s = config.sender;
  return {RedisTargetOf(config), config.redis.key_prefix, s.number_burst, s.pair_interval_ms,
          s.pair_burst};
}

}  // namespace chatshop::apps
