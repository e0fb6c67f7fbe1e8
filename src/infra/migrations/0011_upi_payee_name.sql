-- The name UPI apps show the payer (the UPI link's pn); NULL: the shop's name.
ALTER TABLE shops ADD COLUMN upi_payee_name text;
