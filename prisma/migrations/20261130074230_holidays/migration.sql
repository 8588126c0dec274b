-- CreateTable
CREATE TABLE "holidays" (
    "date" DATE NOT NULL,
    "name" TEXT NOT NULL,
    "created_by" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "holidays_pkey" PRIMARY KEY ("date")
);

-- The official holidays of the current and the next Jalali year (1405 and 1406), from which the
-- working days of the feedback reminder and the deadline reminders are counted. Dates are Tehran
-- calendar days (a Gregorian DATE, with the Jalali date in each comment). Super admins correct or extend the
-- list from the bot: /add_holiday, /remove_holiday.
--
-- 1405: as published in the official calendar of 1405 (شورای فرهنگ عمومی, lunar dates from the
-- calendar centre of the University of Tehran's Institute of Geophysics): Eid al-Fitr 1447 on 1-2
-- Farvardin and Eid al-Fitr 1448 on 19-20 Esfand, Eid al-Adha 6 Khordad, Ghadir with 14 Khordad,
-- Tasua and Ashura 3-4 Tir. The published summary counts 25 days (six on a Thursday, three on a
-- Friday, as here) and does not list 25 Farvardin (25 Shawwal, Imam Sadegh), which the law makes
-- a holiday every year and which falls on 25 Farvardin when 1 Shawwal is 1 Farvardin: kept here,
-- to be checked against the printed calendar.
INSERT INTO "holidays" ("date", "name") VALUES
  ('2026-03-21', 'آغاز نوروز و عید سعید فطر'), -- 1405/01/01
  ('2026-03-22', 'عید نوروز و تعطیل به مناسبت عید سعید فطر'), -- 1405/01/02
  ('2026-03-23', 'عید نوروز'), -- 1405/01/03
  ('2026-03-24', 'عید نوروز'), -- 1405/01/04
  ('2026-04-01', 'روز جمهوری اسلامی ایران'), -- 1405/01/12
  ('2026-04-02', 'روز طبیعت'), -- 1405/01/13
  ('2026-04-14', 'شهادت امام جعفر صادق (ع)'), -- 1405/01/25
  ('2026-05-27', 'عید سعید قربان'), -- 1405/03/06
  ('2026-06-04', 'رحلت امام خمینی و عید سعید غدیر خم'), -- 1405/03/14
  ('2026-06-05', 'قیام ۱۵ خرداد'), -- 1405/03/15
  ('2026-06-24', 'تاسوعای حسینی'), -- 1405/04/03
  ('2026-06-25', 'عاشورای حسینی'), -- 1405/04/04
  ('2026-08-04', 'اربعین حسینی'), -- 1405/05/13
  ('2026-08-12', 'رحلت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)'), -- 1405/05/21
  ('2026-08-13', 'شهادت امام رضا (ع)'), -- 1405/05/22
  ('2026-08-21', 'شهادت امام حسن عسکری (ع)'), -- 1405/05/30
  ('2026-08-30', 'میلاد رسول اکرم (ص) و امام جعفر صادق (ع)'), -- 1405/06/08
  ('2026-11-13', 'شهادت حضرت فاطمه زهرا (س)'), -- 1405/08/22
  ('2026-12-23', 'ولادت امام علی (ع)'), -- 1405/10/02
  ('2027-01-06', 'مبعث رسول اکرم (ص)'), -- 1405/10/16
  ('2027-01-24', 'ولادت حضرت مهدی (عج)'), -- 1405/11/04
  ('2027-02-11', 'پیروزی انقلاب اسلامی'), -- 1405/11/22
  ('2027-02-28', 'شهادت امام علی (ع)'), -- 1405/12/09
  ('2027-03-10', 'عید سعید فطر'), -- 1405/12/19
  ('2027-03-11', 'تعطیل به مناسبت عید سعید فطر'), -- 1405/12/20
  ('2027-03-20', 'روز ملی شدن صنعت نفت') -- 1405/12/29
ON CONFLICT ("date") DO NOTHING;

-- 1406: the solar days are certain. The lunar days are the calendar centre's predictions (not yet
-- checked against the official calendar of 1406) and may move by a day when the crescent is
-- sighted: in particular Imam Reza (the last day of Safar: 12 Mordad if Safar has 29 days, else 13),
-- Eid al-Fitr (8-9 Esfand) and everything from Muharram on. Correct them from the bot when the
-- official calendar of 1406 is published or a moon sighting moves a day.
INSERT INTO "holidays" ("date", "name") VALUES
  ('2027-03-21', 'آغاز نوروز'), -- 1406/01/01
  ('2027-03-22', 'عید نوروز'), -- 1406/01/02
  ('2027-03-23', 'عید نوروز'), -- 1406/01/03
  ('2027-03-24', 'عید نوروز'), -- 1406/01/04
  ('2027-04-01', 'روز جمهوری اسلامی ایران'), -- 1406/01/12
  ('2027-04-02', 'روز طبیعت'), -- 1406/01/13
  ('2027-04-03', 'شهادت امام جعفر صادق (ع)'), -- 1406/01/14
  ('2027-05-17', 'عید سعید قربان'), -- 1406/02/27
  ('2027-05-25', 'عید سعید غدیر خم'), -- 1406/03/04
  ('2027-06-04', 'رحلت امام خمینی'), -- 1406/03/14
  ('2027-06-05', 'قیام ۱۵ خرداد'), -- 1406/03/15
  ('2027-06-14', 'تاسوعای حسینی'), -- 1406/03/24
  ('2027-06-15', 'عاشورای حسینی'), -- 1406/03/25
  ('2027-07-25', 'اربعین حسینی'), -- 1406/05/03
  ('2027-08-02', 'رحلت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)'), -- 1406/05/11
  ('2027-08-03', 'شهادت امام رضا (ع)'), -- 1406/05/12
  ('2027-08-11', 'شهادت امام حسن عسکری (ع)'), -- 1406/05/20
  ('2027-08-20', 'میلاد رسول اکرم (ص) و امام جعفر صادق (ع)'), -- 1406/05/29
  ('2027-11-02', 'شهادت حضرت فاطمه زهرا (س)'), -- 1406/08/11
  ('2027-12-12', 'ولادت امام علی (ع)'), -- 1406/09/21
  ('2027-12-26', 'مبعث رسول اکرم (ص)'), -- 1406/10/05
  ('2028-01-12', 'ولادت حضرت مهدی (عج)'), -- 1406/10/22
  ('2028-02-11', 'پیروزی انقلاب اسلامی'), -- 1406/11/22
  ('2028-02-17', 'شهادت امام علی (ع)'), -- 1406/11/28
  ('2028-02-27', 'عید سعید فطر'), -- 1406/12/08
  ('2028-02-28', 'تعطیل به مناسبت عید سعید فطر'), -- 1406/12/09
  ('2028-03-19', 'روز ملی شدن صنعت نفت') -- 1406/12/29
ON CONFLICT ("date") DO NOTHING;
