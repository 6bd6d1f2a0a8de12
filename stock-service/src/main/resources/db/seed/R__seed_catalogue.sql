-- A small catalogue for local runs and demos. Existing products keep their stock.
insert into products (id, name, available) values
    ('SKU-1001', 'Espresso beans, 1 kg', 100),
    ('SKU-2002', 'Ceramic cup', 250),
    ('SKU-3003', 'Hand grinder', 20),
    ('SKU-4004', 'Limited edition kettle', 3)
on conflict (id) do nothing;
