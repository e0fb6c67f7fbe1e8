#pragma once

#include "common/config.h"
#include "infra/graph_api_client.h"
#include "infra/rabbitmq.h"
#include "infra/redis_cache.h"
#include "infra/redis_customer_limiter.h"
#include "infra/redis_pacer.h"

// The one place where the programs turn the config file's sections into the typed settings the
// adapters take (adapters never see the config). Every program builds its adapters' settings
// here, so a key added to a section reaches every program that uses it. Pure functions.
namespace chatshop::apps {

// [rabbitmq]: broker URL, names, both shard counts, prefetch and the publisher's limits.
infra::RabbitSettings RabbitSettingsOf(const common::Config& config);

// [whatsapp]: where the Graph API is, its version, timeout and the media hosts.
infra::GraphApiSettings GraphApiSettingsOf(const common::Config& config);

// [postgres]: where reads that may be stale go (read_url, or url without one).
std::string PostgresReadUrlOf(const common::Config& config);

// [redis]: where Redis is (the URL, and the sentinels if any), for every Redis adapter.
infra::RedisTarget RedisTargetOf(const common::Config& config);

// [redis]: the catalog cache (its URL, key prefix and TTL).
infra::RedisSettings CatalogCacheSettingsOf(const common::Config& config);

// [redis]: the per-customer message limiter.
infra::CustomerLimiterSettings CustomerLimiterSettingsOf(const common::Config& config);

// [redis] and [sender]: the Graph API send pacer.
infra::PacerSettings PacerSettingsOf(const common::Config& config);

}  // namespace chatshop::apps
