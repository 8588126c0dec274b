-- Kerman has had 25 counties since Ordibehesht 1402, when the cabinet made جازموریان out of
-- رودبار جنوب and گنبکی out of ریگان. The new counties are added only where the county they were
-- made from is in the list, so a deployment whose office replaced the list for another province
-- gets nothing it does not need.
INSERT INTO "counties" ("name", "sort_order")
SELECT 'جازموریان', 60 WHERE EXISTS (SELECT 1 FROM "counties" WHERE "name" = 'رودبار جنوب')
ON CONFLICT ("name") DO NOTHING;

INSERT INTO "counties" ("name", "sort_order")
SELECT 'گنبکی', 230 WHERE EXISTS (SELECT 1 FROM "counties" WHERE "name" = 'ریگان')
ON CONFLICT ("name") DO NOTHING;

-- Lists are shown by sort_order, never by name: a database collation (C, or ICU without a Persian
-- tailoring) puts ک and گ after ی and mixes پ چ ژ in. The first seed had انار before ارزوئیه and
-- راور before رابر. Persian alphabetical order, as comparePersian (src/platform/text) computes it:
UPDATE "counties" AS c SET "sort_order" = v.sort_order
FROM (VALUES
  ('ارزوئیه', 10),
  ('انار', 20),
  ('بافت', 30),
  ('بردسیر', 40),
  ('بم', 50),
  ('جازموریان', 60),
  ('جیرفت', 70),
  ('رابر', 80),
  ('راور', 90),
  ('رفسنجان', 100),
  ('رودبار جنوب', 110),
  ('ریگان', 120),
  ('زرند', 130),
  ('سیرجان', 140),
  ('شهربابک', 150),
  ('عنبرآباد', 160),
  ('فاریاب', 170),
  ('فهرج', 180),
  ('قلعه‌گنج', 190),
  ('کرمان', 200),
  ('کوهبنان', 210),
  ('کهنوج', 220),
  ('گنبکی', 230),
  ('منوجان', 240),
  ('نرماشیر', 250)
) AS v(name, sort_order)
WHERE c."name" = v.name;
