-- QuickSell retention: quicksell.analytics_events_archive.product
-- (20261202110400) references public.products like every product column
-- (tests/products.test.ts: the one product list); the archive still holds
-- only QuickSell's events (its check stays).
-- Who may do what: unchanged.

alter table quicksell.analytics_events_archive
  add constraint analytics_events_archive_product_fkey foreign key (product)
  references public.products (code) on update cascade on delete restrict;
create index analytics_events_archive_product_idx on quicksell.analytics_events_archive (product);
