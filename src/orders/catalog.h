#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orders/money.h"

namespace chatshop::orders {

// One product a shop sells.
struct Product {
  std::string sku;
  std::string name;
  Money price;        // per unit sold (one pack, bottle, kg…)
  int64_t stock = 0;  // units available
  std::string unit;   // what one unit is: pack, kg, bottle, dozen…
  std::string category;
  std::vector<std::string> aliases;  // other names customers use ("doodh", "atta")

  bool operator==(const Product&) const = default;
};

// A shop's products, in file order. Looking up by SKU is linear: catalogs are small.
struct Catalog {
  std::vector<Product> products;

  // The product with this SKU, or null.
  const Product* Find(std::string_view sku) const;

  bool operator==(const Catalog&) const = default;
};

// A CSV line that could not be imported.
struct CatalogLineError {
  int line = 0;  // 1-based, counting the header
  std::string message;
};

struct CatalogImport {
  Catalog catalog;
  std::vector<CatalogLineError> errors;  // any error means nothing should be imported
};

// What an import accepts beyond the format.
struct CatalogLimits {
  // The highest unit price; a higher one is a typo (paise for rupees, a stray digit) that
  // would bill a customer absurdly. [orders] max_price_rupees.
  Money max_price{int64_t{1000000} * 100};
};

// Parses a catalog CSV with the header `sku,name,price,stock,unit,category,aliases`: price in
// rupees with at most two decimals, from 0 to `limits.max_price` (a negative price is named as
// such), stock a whole number ≥ 0, aliases separated by '|'. Fields may be double-quoted (RFC
// 4180). Every line is checked and every problem reported with its line number; SKUs must be
// unique. Never throws.
CatalogImport ParseCatalogCsv(std::string_view text, const CatalogLimits& limits = {});

// Reads and parses a catalog CSV file; a file that cannot be read is one error on line 0.
CatalogImport ReadCatalogCsvFile(const std::string& path, const CatalogLimits& limits = {});

// "289.00" → 28900 paise; false when `text` is not a non-negative amount with ≤ 2 decimals.
bool ParseRupees(std::string_view text, Money& out);

}  // namespace chatshop::orders
