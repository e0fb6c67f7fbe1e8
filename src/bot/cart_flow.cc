// The customer engine's cart: the menu and its categories, typed lists and edits, the
// buttons and rows that change the cart, and stock problems with their choices (see
// customer_turn.h).
#include <algorithm>
#include <cstdlib>
#include <set>

#include "bot/customer_turn.h"
#include "bot/overloaded.h"
#include "bot/text.h"
#include "common/utf8.h"

namespace chatshop::bot::customer {
namespace {

// A list row's title holds 24 characters: a longer product name ("Maggi 2-Minute Noodles 70g
// 4-pack") is shortened there, so the row's description starts with the whole of it — the
// part that tells two packs apart. False when the title shows it all.
json FullNameIfShortened(const std::string& name) {
  if (whatsapp::Shorten(name, whatsapp::kMaxRowTitleChars) == name) return false;
  return name;
}

// The words of a product name that say what it is ("maggi", "noodles"), not sizes or counts.
std::set<std::string> NameWords(const std::string& name) {
  std::set<std::string> words;
  for (const auto& token : Tokenize(FoldText(name))) {
    if (token.size() >= 3 && !std::isdigit(static_cast<unsigned char>(token[0]))) {
      words.insert(token);
    }
  }
  return words;
}

// Up to three products of the same category the shop can supply instead of `wanted` packs of
// `product`: those with enough stock first, then those sharing most name words (the same brand
// or kind, as a shopkeeper would offer), then the closest in price.
std::vector<const orders::Product*> Alternatives(const orders::Product& product, int64_t wanted,
                                                 const orders::Catalog& catalog) {
  const std::set<std::string> words = NameWords(product.name);
  struct Candidate {
    const orders::Product* product;
    bool enough;
    size_t shared;
    int64_t price_gap;
  };
  std::vector<Candidate> found;
  for (const auto& p : catalog.products) {
    if (p.category != product.category || p.sku == product.sku || p.stock <= 0) continue;
    size_t shared = 0;
    for (const auto& w : NameWords(p.name)) shared += words.count(w);
    found.push_back(
        {&p, p.stock >= wanted, shared, std::llabs(p.price.minor - product.price.minor)});
  }
  std::stable_sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    if (a.enough != b.enough) return a.enough;
    if (a.shared != b.shared) return a.shared > b.shared;
    return a.price_gap < b.price_gap;
  });
  std::vector<const orders::Product*> best;
  for (size_t i = 0; i < found.size() && i < 3; ++i) best.push_back(found[i].product);
  return best;
}

}  // namespace

bool Turn::RoomFor(const std::string& sku) {
  if (FindLine(next_.cart, sku) != nullptr || next_.cart.size() < shop_.limits.cart_lines_max) {
    return true;
  }
  const orders::Product* p = shop_.catalog->Find(sku);
  const std::string name = p != nullptr ? p->name : sku;
  if (left_out_.empty()) {
    cart_full_note_ = notes_.size();
    notes_.emplace_back();
  }
  left_out_ += (left_out_.empty() ? "" : ", ") + name;
  notes_[cart_full_note_] =
      Say("limit_cart_full", {{"max", shop_.limits.cart_lines_max}, {"names", left_out_}});
  return false;
}

bool Turn::Add(const std::string& sku, int64_t qty) {
  if (qty > 0 && !RoomFor(sku)) return false;
  AddToCart(next_.cart, sku, qty);
  return true;
}

bool Turn::Set(const std::string& sku, int64_t qty) {
  if (qty > 0 && !RoomFor(sku)) return false;
  SetInCart(next_.cart, sku, qty);
  return true;
}

void Turn::DropUnsold() {
  const size_t before = next_.cart.size();
  std::erase_if(next_.cart,
                [&](const CartLine& line) { return shop_.catalog->Find(line.sku) == nullptr; });
  if (next_.cart.size() != before) notes_.push_back(Say("no_longer_sold"));
}

// Categories in catalog order, ten rows at most: nine and "More…" when there are more.
void Turn::SendMenu(size_t offset) {
  std::vector<std::string> categories;
  for (const auto& p : shop_.catalog->products) {
    if (std::find(categories.begin(), categories.end(), p.category) == categories.end()) {
      categories.push_back(p.category);
    }
  }
  whatsapp::ListSection section{Say("menu_section"), {}};
  for (size_t i = offset; i < categories.size(); ++i) {
    if (section.rows.size() == whatsapp::kMaxListRows - 1 && i + 1 < categories.size()) {
      section.rows.push_back(
          {EncodeChoice(choice::MenuPage{static_cast<uint32_t>(i)}), Say("more_row"), ""});
      break;
    }
    section.rows.push_back(
        {EncodeChoice(choice::Category{categories[i], 0}), Capitalised(categories[i]), ""});
  }
  const std::string body = Notes() + Say("welcome");
  if (section.rows.empty()) return SendText(body + "\n" + Say("try_list"));
  SendList(body, Say("menu_button"), {section});
}

void Turn::SendCategory(const std::string& category, size_t offset) {
  std::vector<const orders::Product*> products;
  for (const auto& p : shop_.catalog->products) {
    if (p.category == category) products.push_back(&p);
  }
  if (offset >= products.size()) return SendMenu(0);
  whatsapp::ListSection section{Capitalised(category), {}};
  for (size_t i = offset; i < products.size(); ++i) {
    if (section.rows.size() == whatsapp::kMaxListRows - 1 && i + 1 < products.size()) {
      section.rows.push_back({EncodeChoice(choice::Category{category, static_cast<uint32_t>(i)}),
                              Say("more_row"), ""});
      break;
    }
    const auto& p = *products[i];
    section.rows.push_back({EncodeChoice(choice::Add{p.sku, 1}), p.name,
                            Say("product_row", {{"price", p.price.ToRupeeText()},
                                                {"out_of_stock", p.stock <= 0},
                                                {"full_name", FullNameIfShortened(p.name)}})});
  }
  SendList(Say("category_prompt", {{"category", Capitalised(category)}}), Say("category_button"),
           {section});
}

// Replace (up to three alternatives) · Reduce to what is available · Remove · Cancel order,
// as one list: three reply buttons could not hold them.
void Turn::SendIssueChoices(const Shortage& s) {
  using Action = choice::Fix::Action;
  const std::string& sku = s.product->sku;
  whatsapp::ListSection section{Say("issue_section"), {}};
  for (const auto* alternative : Alternatives(*s.product, s.wanted, *shop_.catalog)) {
    section.rows.push_back(
        {EncodeChoice(choice::Fix{Action::kSwap, sku, alternative->sku}), alternative->name,
         Say("issue_replace_row", {{"price", alternative->price.ToRupeeText()},
                                   {"full_name", FullNameIfShortened(alternative->name)}})});
  }
  if (s.available > 0) {
    section.rows.push_back({EncodeChoice(choice::Fix{Action::kReduce, sku, ""}),
                            Say("issue_reduce_row", {{"available", s.available}}), ""});
  }
  section.rows.push_back({EncodeChoice(choice::Fix{Action::kRemove, sku, ""}),
                          Say("issue_remove_row"), s.product->name});
  section.rows.push_back({EncodeChoice(choice::CancelOrder{}), Say("issue_cancel_row"), ""});
  // Mustache would take a 0 as "some available": none is passed as false.
  SendList(Say("issue_prompt", {{"name", s.product->name},
                                {"available", s.available > 0 ? json(s.available) : json(false)}}),
           Say("issue_button"), {section});
}

std::vector<Shortage> Turn::Shortages() {
  std::vector<Shortage> found;
  for (const auto& line : next_.cart) {
    const orders::Product* p = shop_.catalog->Find(line.sku);
    if (p != nullptr && p->stock < line.qty) {
      found.push_back({p, line.qty, std::max<int64_t>(0, p->stock)});
    }
  }
  return found;
}

void Turn::Review(bool at_checkout) {
  DropUnsold();

  const std::vector<Shortage> shortages = Shortages();
  if (shortages.empty()) {
    next_.issues.clear();
    next_.stage = next_.cart.empty() ? Stage::kIdle : Stage::kCart;
    if (at_checkout && !next_.cart.empty()) {
      // The stock as this view saw it suffices; the database decides for sure (Resume).
      effects_.push_back(PlaceOrder{next_.cart});
      return;
    }
    SendBill(Notes());
    return;
  }

  // Choices already sent and still open are only recalled; new shortages (and all of them at
  // checkout, when stock may have moved) get their own choice list.
  std::vector<const Shortage*> fresh;
  std::string pending;
  for (const auto& s : shortages) {
    const bool offered = std::find(state_.issues.begin(), state_.issues.end(), s.product->sku) !=
                         state_.issues.end();
    if (at_checkout || !offered || state_.stage != Stage::kIssues) {
      fresh.push_back(&s);
    } else {
      pending += (pending.empty() ? "" : ", ") + s.product->name;
    }
  }
  std::string text = Notes();
  if (!fresh.empty()) {
    text += Say(at_checkout ? "checkout_issues_intro" : "stock_issues_intro") + "\n";
    for (const auto* s : fresh) {
      text += "• " +
              Say("stock_short", {{"name", s->product->name},
                                  {"out_of_stock", s->available == 0},
                                  {"available", s->available},
                                  {"wanted", s->wanted}}) +
              "\n";
    }
  }
  if (!pending.empty()) text += Say("issues_pending", {{"names", pending}});
  SendText(TrimmedSpace(text));
  for (const auto* s : fresh) SendIssueChoices(*s);

  next_.stage = Stage::kIssues;
  next_.issues.clear();
  for (const auto& s : shortages) next_.issues.push_back(s.product->sku);
}

bool Turn::AddTypedList(const std::string& text, bool* was_question) {
  ParsedOrder order = shop_.parser->Parse(text);
  for (const auto& item : order.items) Add(item.sku, item.qty);
  for (const auto& u : order.unmatched) notes_.push_back(Say("unmatched", {{"text", u}}));
  for (const auto& a : order.ambiguous) {
    whatsapp::ListSection section{Say("ambiguous_section"), {}};
    for (const auto& sku : a.candidates) {
      if (const orders::Product* p = shop_.catalog->Find(sku)) {
        section.rows.push_back(
            {EncodeChoice(choice::Add{sku, 1}), p->name, p->price.ToRupeeText()});
      }
    }
    questions_.push_back(
        SendReply{whatsapp::BuildListMessage(customer_.wa_id, Say("ambiguous", {{"text", a.text}}),
                                             Say("ambiguous_button"), {section})});
  }
  if (was_question != nullptr) *was_question = order.question;
  return !order.items.empty();
}

bool Turn::ApplyEdit(const CartEdit& edit, const ParsedOrder& order) {
  bool changed = false;
  for (const auto& item : order.items) {
    const orders::Product* p = shop_.catalog->Find(item.sku);
    const std::string name = p != nullptr ? p->name : item.sku;
    const bool in_cart = FindLine(next_.cart, item.sku) != nullptr;
    if (edit.op == CartEdit::Op::kRemove || (edit.qty && *edit.qty == 0)) {
      if (!in_cart) {
        notes_.push_back(Say("not_in_cart", {{"text", name}}));
        continue;
      }
      const int64_t had = FindLine(next_.cart, item.sku)->qty;
      if (edit.qty && *edit.qty > 0 && item.qty < had) {
        // "remove 2 maggi" takes two away.
        SetInCart(next_.cart, item.sku, had - item.qty);
        notes_.push_back(Say("fixed_reduced", {{"name", name}, {"qty", had - item.qty}}));
      } else {
        SetInCart(next_.cart, item.sku, 0);
        notes_.push_back(Say("fixed_removed", {{"name", name}}));
      }
    } else {
      // The parser's quantity: it knows "coke 750 ml 2" is two bottles.
      const int64_t qty = std::min(kMaxLineQuantity, item.qty);
      if (!Set(item.sku, qty)) continue;
      notes_.push_back(Say("fixed_reduced", {{"name", name}, {"qty", qty}}));
    }
    changed = true;
  }
  return changed;
}

void Turn::OnEdits(const std::vector<CartEdit>& edits) {
  bool changed = false;
  for (const auto& edit : edits) {
    if (edit.op == CartEdit::Op::kAdd) {
      changed |= AddTypedList(edit.text, nullptr);
      continue;
    }
    ParsedOrder order = shop_.parser->Parse(edit.text);
    // A word that names several products means the one in the cart, if only one is.
    for (const auto& a : order.ambiguous) {
      std::vector<std::string> in_cart;
      for (const auto& sku : a.candidates) {
        if (FindLine(next_.cart, sku) != nullptr) in_cart.push_back(sku);
      }
      if (in_cart.size() == 1) {
        order.items.push_back({in_cart[0], edit.qty.value_or(1)});
      } else if (in_cart.empty()) {
        notes_.push_back(Say("not_in_cart", {{"text", a.text}}));
      } else {
        // Several lines match: let the customer pick the line to change.
        whatsapp::ListSection section{Say("edit_button"), {}};
        for (const auto& sku : in_cart) {
          if (const orders::Product* p = shop_.catalog->Find(sku)) {
            section.rows.push_back(
                {EncodeChoice(choice::EditLine{sku}), p->name, p->price.ToRupeeText()});
          }
        }
        questions_.push_back(SendReply{
            whatsapp::BuildListMessage(customer_.wa_id, Say("ambiguous", {{"text", a.text}}),
                                       Say("ambiguous_button"), {section})});
      }
    }
    for (const auto& u : order.unmatched) notes_.push_back(Say("unmatched", {{"text", u}}));
    changed |= ApplyEdit(edit, order);
  }
  if (changed) {
    Review(false);
  } else if (!questions_.empty()) {
    if (!notes_.empty()) SendText(TrimmedSpace(Notes()));  // the lists to pick from follow
  } else {
    SendText(Notes() + Say("not_understood") + " " + Say("try_list"));
  }
}

void Turn::OnText(const std::string& text, bool replying) {
  // Nothing longer than [limits] message_chars_max reaches the parser: its time is bounded.
  if (const size_t chars = common::CountUtf8Chars(text); chars > shop_.limits.message_chars_max) {
    return SendText(
        Say("limit_message_too_long", {{"chars", chars}, {"max", shop_.limits.message_chars_max}}));
  }
  const std::string command = Trimmed(FoldText(text));
  if (OnCommand(command)) return;

  // A reply quoting one of our messages (the bill, usually) while there is a cart means "these
  // are the new quantities".
  const bool quoting = replying && !next_.cart.empty();
  const std::vector<CartEdit> edits = ParseCartEdits(text, quoting);
  if (!edits.empty()) return OnEdits(edits);

  bool question = false;
  if (AddTypedList(text, &question)) return Review(false);
  if (!questions_.empty()) {
    if (!notes_.empty()) SendText(TrimmedSpace(Notes()));
    return;
  }
  SendText(Notes() + Say(question ? "question" : "not_understood") + " " + Say("try_list"));
}

void Turn::OnFix(const choice::Fix& fix) {
  using Action = choice::Fix::Action;
  CartLine* line = FindLine(next_.cart, fix.sku);
  const orders::Product* product = shop_.catalog->Find(fix.sku);
  if (line != nullptr && product != nullptr) {
    if (fix.action == Action::kSwap) {
      if (const orders::Product* replacement = shop_.catalog->Find(fix.alternative)) {
        const int64_t qty = line->qty;
        SetInCart(next_.cart, fix.sku, 0);
        AddToCart(next_.cart, replacement->sku, qty);
        notes_.push_back(
            Say("fixed_replaced", {{"old", product->name}, {"new", replacement->name}}));
      }
    } else if (fix.action == Action::kReduce) {
      const int64_t qty = std::max<int64_t>(0, std::min(line->qty, product->stock));
      SetInCart(next_.cart, fix.sku, qty);
      notes_.push_back(qty == 0 ? Say("fixed_removed", {{"name", product->name}})
                                : Say("fixed_reduced", {{"name", product->name}, {"qty", qty}}));
    } else {
      SetInCart(next_.cart, fix.sku, 0);
      notes_.push_back(Say("fixed_removed", {{"name", product->name}}));
    }
  }
  Review(false);
}

// The bill's Edit: each line as a row, to pick the one to change.
void Turn::SendEditList() {
  DropUnsold();
  if (next_.cart.empty()) return SendBill(Notes());
  whatsapp::ListSection section{Say("edit_button"), {}};
  for (const auto& line : next_.cart) {
    const orders::Product* p = shop_.catalog->Find(line.sku);
    if (p == nullptr || section.rows.size() == whatsapp::kMaxListRows) continue;
    section.rows.push_back(
        {EncodeChoice(choice::EditLine{line.sku}), p->name,
         Say("edit_row", {{"qty", line.qty}, {"price", p->price.ToRupeeText()}})});
  }
  SendList(Say("edit_prompt"), Say("edit_button"), {section});
}

// A product row or a cart line's button: add, + / −, remove, or the line's buttons.
void Turn::OnLineChoice(const std::string& sku, const Choice& choice) {
  const orders::Product* p = shop_.catalog->Find(sku);
  if (p == nullptr) return SendText(Say("no_longer_sold"));
  auto capped = [](int64_t n) {
    return std::clamp<int64_t>(n, -kMaxLineQuantity, kMaxLineQuantity);
  };
  if (std::holds_alternative<choice::EditLine>(choice)) {
    const CartLine* line = FindLine(next_.cart, sku);
    if (line == nullptr) return SendBill("");
    effects_.push_back(SendReply{whatsapp::BuildButtonsMessage(
        customer_.wa_id,
        Say("edit_line",
            {{"name", p->name}, {"qty", line->qty}, {"price", p->price.ToRupeeText()}}),
        {{EncodeChoice(choice::ChangeQty{sku, 1}), Say("button_plus")},
         {EncodeChoice(choice::ChangeQty{sku, -1}), Say("button_minus")},
         {EncodeChoice(choice::Remove{sku}), Say("button_remove")}})});
    return;
  }
  if (std::holds_alternative<choice::Remove>(choice)) {
    SetInCart(next_.cart, sku, 0);
    notes_.push_back(Say("fixed_removed", {{"name", p->name}}));
  } else if (const auto* add = std::get_if<choice::Add>(&choice)) {
    Add(sku, std::max<int64_t>(1, capped(add->qty)));
  } else if (const auto* change = std::get_if<choice::ChangeQty>(&choice)) {
    const CartLine* line = FindLine(next_.cart, sku);
    Set(sku, (line != nullptr ? line->qty : 0) + capped(change->delta));
  }
  Review(false);
}

void Turn::OnChoice(const Choice& tapped) {
  std::visit(Overloaded{
                 [&](const choice::CancelCart&) { Cancel(); },
                 [&](const choice::CancelOrder&) { Cancel(); },
                 [&](const choice::Checkout&) {
                   if (next_.cart.empty()) return SendBill("");
                   Review(true);
                 },
                 [&](const choice::EditCart&) { SendEditList(); },
                 [&](const choice::MenuPage& c) { SendMenu(c.offset); },
                 [&](const choice::Category& c) { SendCategory(c.category, c.offset); },
                 [&](const choice::Add& c) { OnLineChoice(c.sku, tapped); },
                 [&](const choice::ChangeQty& c) { OnLineChoice(c.sku, tapped); },
                 [&](const choice::Remove& c) { OnLineChoice(c.sku, tapped); },
                 [&](const choice::EditLine& c) { OnLineChoice(c.sku, tapped); },
                 [&](const choice::Fix& c) { OnFix(c); },
                 // Not ours, an owner's, or cash on delivery with no order waiting for it.
                 [&](const auto&) { SendText(Say("help")); },
             },
             tapped);
}

void Turn::OnCatalogOrder(const whatsapp::CatalogOrder& order) {
  bool added = false;
  for (const auto& item : order.items) {
    if (shop_.catalog->Find(item.sku) != nullptr && item.qty > 0) {
      Add(item.sku, item.qty);  // a full cart's note is shown with the bill
      added = true;
    } else {
      notes_.push_back(Say("unmatched", {{"text", item.sku}}));
    }
  }
  if (added) return Review(false);
  SendText(Notes() + Say("try_list"));
}

}  // namespace chatshop::bot::customer
