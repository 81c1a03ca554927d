-- QuickSell (seed 001): the badge catalogue and one evergreen challenge.
-- Badges for every counter the engine feeds (20261202110100), in the seed's
-- tiers, and a 'special' badge only challenges give. Catalogue data, so it
-- ships with the schema (idempotent: ON CONFLICT on the keys); service_role
-- edits it later. Time-boxed challenges (weekly, monthly) are created by
-- the operators (service_role) for their dates; the demo data has some.
-- Who may do what: unchanged (public read, service_role writes).

insert into quicksell.badges (badge_key, badge_name, badge_description, badge_tier, requirement_type, requirement_value) values
  ('first_listing', 'First listing', 'Created your first listing.', '1', 'listings_created', 1),
  ('listing_pro', 'Listing pro', 'Created 25 listings.', '2', 'listings_created', 25),
  ('listing_master', 'Listing master', 'Created 100 listings.', '3', 'listings_created', 100),
  ('first_sale', 'First sale', 'Completed your first sale.', '1', 'items_sold', 1),
  ('seller_10', 'Seasoned seller', 'Completed 10 sales.', '2', 'items_sold', 10),
  ('seller_50', 'Top seller', 'Completed 50 sales.', '3', 'items_sold', 50),
  ('shutterbug', 'Shutterbug', 'Uploaded 20 photos.', '1', 'photos_uploaded', 20),
  ('points_500', 'Rising star', 'Earned 500 points.', '2', 'total_points', 500),
  ('points_2500', 'Star', 'Earned 2,500 points.', '3', 'total_points', 2500),
  ('streak_7', 'On a roll', 'Posted 7 days in a row.', '2', 'posting_streak', 7),
  ('streak_30', 'Unstoppable', 'Posted 30 days in a row.', '3', 'posting_streak', 30),
  ('well_rated', 'Well rated', 'Received 5 ratings from buyers.', '2', 'ratings_received', 5),
  ('challenge_champion', 'Challenge champion', 'Completed a monthly challenge.', 'special', null, null)
on conflict (badge_key) do nothing;

insert into quicksell.challenges (challenge_key, challenge_name, description, challenge_type, reward_points, reward_badge_id,
                                  starts_at, ends_at, is_active, requirement_type, requirement_value) values
  ('first_steps', 'First steps', 'Publish your first 3 listings.', 'limited', 50, null, null, null, true, 'listings_published', 3)
on conflict (challenge_key) do nothing;
