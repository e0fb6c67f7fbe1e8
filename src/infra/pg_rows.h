#pragma once

// Row helpers shared by the PostgreSQL adapters in src/infra; internal: no port's adapter header
// includes this one. Each throws libpqxx's exceptions, for the PgSession::Run (or PgGuarded)
// around it to translate.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/ports/inbound_store.h"

namespace pqxx {
class transaction_base;
}

namespace chatshop::infra {

// SQL for a timestamptz column as UTC ISO 8601 text ("2026-12-07T14:13:10Z").
std::string IsoUtc(const std::string& column);

// A shop with its settings, template overrides and owners; nullopt when there is none.
std::optional<service::ShopRecord> LoadShopById(pqxx::transaction_base& tx, int64_t shop_id);
std::optional<service::ShopRecord> LoadShopByNumber(pqxx::transaction_base& tx,
                                                    const std::string& phone_number_id);

// Queues Graph API bodies in the outbox, each to its "to"; the fallback template and the
// order-notice marker the builders attach are kept in their own columns, never sent to Meta.
void QueueReplies(pqxx::transaction_base& tx, int64_t shop_id,
                  const std::vector<nlohmann::json>& replies, const std::string& caused_by);

}  // namespace chatshop::infra
