-- Catalogue data: rows every environment needs (plans, price tables, tool
-- catalogue, badges, ...). Idempotent: safe to run on every `npm start`.
-- Demo users and their data live in supabase/demo/ and are loaded only by
-- the local stack. Later issues add their catalogues here.

select 1;
