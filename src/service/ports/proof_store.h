#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "orders/order.h"
#include "service/ports/media_vault.h"
#include "service/ports/shop_record.h"

namespace chatshop::service {

// A payment proof waiting to be fetched from Meta.
struct ProofJob {
  int64_t proof_id = 0;
  int64_t order_id = 0;
  ShopRecord shop;
  std::string access_token;  // the shop's Graph API token; never logged
  std::string media_id;
  std::string mime_type;
  int attempts = 0;  // including this one
};

// Payment proofs between the customer's message and the owner's notice. Safe to use from
// several processes at once; one instance per thread.
class ProofStore {
 public:
  virtual ~ProofStore() = default;
  // The owners' notices for a proof of `order`; `duplicate_of` is the number of another order
  // of the shop paid with the same picture (0: none).
  using Notices = std::function<std::vector<nlohmann::json>(const orders::OrderView& order,
                                                            int64_t duplicate_of)>;

  // Leases up to `limit` due proofs for `lease` and counts an attempt on each.
  [[nodiscard]] virtual Result<std::vector<ProofJob>> ClaimDue(int limit,
                                                               std::chrono::seconds lease) = 0;
  // In one transaction: the proof is stored; `notices` are queued for the shop's owners.
  [[nodiscard]] virtual Status Complete(const ProofJob& job, const StoredMedia& media,
                                        const Notices& notices) = 0;
  // Due again after `delay`.
  [[nodiscard]] virtual Status Retry(int64_t proof_id, std::chrono::seconds delay,
                                     const std::string& error) = 0;
  // In one transaction: given up on for good; `notices` tell the owners to check otherwise.
  [[nodiscard]] virtual Status Fail(const ProofJob& job, const std::string& error,
                                    const Notices& notices) = 0;
  // The customer's answer to a refused proof, from the order as it is after the refusal.
  using CustomerNotices = std::function<std::vector<nlohmann::json>(const orders::OrderView&)>;
  // In one transaction: refused for good, its file not being a picture or a PDF (`reason`
  // says what it was). When the order waits for the owner on no other proof (none pending or
  // stored since it last went into review), it goes back to awaiting payment (the
  // reservation renewed for `hold_minutes`, an order_events row by the system); `notices` are
  // queued for the customer either way. Nothing happens twice for one proof.
  [[nodiscard]] virtual Status Refuse(const ProofJob& job, const std::string& reason,
                                      int hold_minutes, const CustomerNotices& notices) = 0;
};

}  // namespace chatshop::service
