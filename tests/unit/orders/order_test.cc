#include "orders/order.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace chatshop::orders {
namespace {

using A = OrderAction;
using S = OrderStatus;

// Every legal transition, by whom; everything not listed must be refused.
TEST(OrderLifecycleTest, EveryLegalAndIllegalTransition) {
  const std::map<std::tuple<S, A, Actor>, S> legal = {
      {{S::kAwaitingPayment, A::kSubmitProof, Actor::kCustomer}, S::kPaymentReview},
      {{S::kPaymentReview, A::kSubmitProof, Actor::kCustomer}, S::kPaymentReview},
      {{S::kAwaitingPayment, A::kChooseCod, Actor::kCustomer}, S::kConfirmed},
      {{S::kPaymentReview, A::kApprove, Actor::kOwner}, S::kConfirmed},
      {{S::kAwaitingPayment, A::kApprove, Actor::kOwner}, S::kConfirmed},
      {{S::kPaymentReview, A::kReject, Actor::kOwner}, S::kAwaitingPayment},
      {{S::kConfirmed, A::kPack, Actor::kOwner}, S::kPacked},
      {{S::kPacked, A::kDispatch, Actor::kOwner}, S::kOutForDelivery},
      {{S::kOutForDelivery, A::kDeliver, Actor::kOwner}, S::kDelivered},
      {{S::kAwaitingPayment, A::kCancel, Actor::kCustomer}, S::kCancelled},
      {{S::kPaymentReview, A::kCancel, Actor::kCustomer}, S::kCancelled},
      {{S::kAwaitingPayment, A::kCancel, Actor::kOwner}, S::kCancelled},
      {{S::kPaymentReview, A::kCancel, Actor::kOwner}, S::kCancelled},
      {{S::kConfirmed, A::kCancel, Actor::kOwner}, S::kCancelled},
      {{S::kPacked, A::kCancel, Actor::kOwner}, S::kCancelled},
      {{S::kAwaitingPayment, A::kExpire, Actor::kSystem}, S::kCancelled},
  };
  int checked = 0;
  for (int s = 0; s <= static_cast<int>(S::kCancelled); ++s) {
    for (int a = 0; a <= static_cast<int>(A::kExpire); ++a) {
      for (Actor actor : {Actor::kCustomer, Actor::kOwner, Actor::kSystem}) {
        const auto key = std::make_tuple(static_cast<S>(s), static_cast<A>(a), actor);
        const auto next = NextStatus(std::get<0>(key), std::get<1>(key), actor);
        auto it = legal.find(key);
        if (it == legal.end()) {
          EXPECT_FALSE(next) << StatusName(std::get<0>(key)) << " " << ActionName(std::get<1>(key))
                             << " by " << static_cast<int>(actor) << " must be refused";
        } else {
          EXPECT_EQ(next, it->second)
              << StatusName(std::get<0>(key)) << " " << ActionName(std::get<1>(key));
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 7 * 9 * 3);
}

TEST(OrderLifecycleTest, FinalStatusesAndNamesRoundTrip) {
  EXPECT_TRUE(IsFinal(S::kDelivered));
  EXPECT_TRUE(IsFinal(S::kCancelled));
  EXPECT_FALSE(IsFinal(S::kOutForDelivery));
  EXPECT_TRUE(ReleasesStock(S::kCancelled));
  EXPECT_FALSE(ReleasesStock(S::kDelivered));
  for (int s = 0; s <= static_cast<int>(S::kCancelled); ++s) {
    EXPECT_EQ(StatusFromName(StatusName(static_cast<S>(s))), static_cast<S>(s));
  }
  EXPECT_FALSE(StatusFromName("lost"));
}

TEST(UpiLinkTest, PayeeNameAndNoteAreEncodedAndTheAmountIsInRupees) {
  EXPECT_EQ(UpiPaymentLink("sharmakirana@okaxis", "Sharma Kirana & Sons", Money{65700}, 1042),
            "upi://pay?pa=sharmakirana@okaxis&pn=Sharma%20Kirana%20%26%20Sons&am=657.00&cu=INR"
            "&tn=Order%20%231042");
  const std::string hindi = UpiPaymentLink("a@b", "दुकान", Money{5}, 1);
  EXPECT_NE(hindi.find("pn=%E0%A4%A6%E0%A5%81"), std::string::npos) << hindi;
  EXPECT_NE(hindi.find("&am=0.05&"), std::string::npos) << hindi;
}

}  // namespace
}  // namespace chatshop::orders
