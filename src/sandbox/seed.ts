/**
 * "Seed demo data": a province that looks like Kerman's at work. NGOs of several counties and fields
 * (approved, two waiting for review, one suspended) with their managers and members are written as rows,
 * as if they had registered long ago; what follows goes through the office's own use cases, so every
 * rule holds and the people concerned are told as they would be: training needs, a course that fills up
 * and has a waitlist, feedback waiting for an answer, a project deadline and a reporting deadline.
 */
import type { Services } from '../features/index.js';
import type { PrismaClient } from '../platform/db/client.js';
import { jalaliToDate, toJalali, type JalaliDate } from '../platform/text/jalali.js';
import type { Clock } from '../platform/text/clock.js';
import { SUPER_ADMIN_ID } from './personas.js';

type Status = 'APPROVED' | 'PENDING' | 'SUSPENDED';

interface DemoNgo {
  key: string;
  name: string;
  county: string;
  fields: string[];
  authority: 'GOVERNORATE' | 'WELFARE' | 'SPORTS_YOUTH' | 'CULTURE' | 'HEALTH' | 'ENVIRONMENT';
  status: Status;
  manager: { id: number; firstName: string; lastName: string };
  members: { id: number; firstName: string; lastName: string }[];
  foundedYear: number;
}

const person = (id: number, firstName: string, lastName: string) => ({ id, firstName, lastName });

/** The personas' NGO: its manager (2002) and member (3002) are on the page. */
const SIRJAN = 'sirjan-environment';

const NGOS: DemoNgo[] = [
  { key: SIRJAN, name: 'انجمن حامیان محیط زیست سیرجان', county: 'سیرجان', fields: ['محیط زیست', 'آموزش'], authority: 'ENVIRONMENT', status: 'APPROVED', manager: person(2002, 'حسین', 'محمدی'), members: [person(3002, 'سارا', 'حیدری'), person(60011, 'مهدی', 'کاظمی')], foundedYear: 1392 },
  { key: 'rafsanjan-charity', name: 'کانون نیکوکاری مهر رفسنجان', county: 'رفسنجان', fields: ['امور خیریه'], authority: 'WELFARE', status: 'APPROVED', manager: person(50002, 'فاطمه', 'صادقی'), members: [person(60021, 'نرگس', 'عباسی'), person(60022, 'امیر', 'حسینی')], foundedYear: 1388 },
  { key: 'kerman-addiction', name: 'جمعیت پیشگیری از اعتیاد آوای زندگی کرمان', county: 'کرمان', fields: ['پیشگیری از اعتیاد و مواد مخدر', 'آسیب‌های اجتماعی و حاشیه‌نشینی'], authority: 'GOVERNORATE', status: 'APPROVED', manager: person(50003, 'محمد', 'جعفری'), members: [person(60031, 'لیلا', 'مرادی')], foundedYear: 1385 },
  { key: 'bam-sports', name: 'انجمن ورزشی جوانان بم', county: 'بم', fields: ['ورزش و جوانان'], authority: 'SPORTS_YOUTH', status: 'APPROVED', manager: person(50004, 'سعید', 'ملکی'), members: [person(60041, 'پویا', 'زارعی')], foundedYear: 1396 },
  { key: 'jiroft-rehab', name: 'مؤسسه توانبخشی امید جیرفت', county: 'جیرفت', fields: ['بهزیستی و توانبخشی'], authority: 'WELFARE', status: 'APPROVED', manager: person(50005, 'مریم', 'رستمی'), members: [person(60051, 'زینب', 'شریفی')], foundedYear: 1390 },
  { key: 'zarand-women', name: 'انجمن زنان کارآفرین زرند', county: 'زرند', fields: ['زنان و خانواده'], authority: 'GOVERNORATE', status: 'APPROVED', manager: person(50006, 'طاهره', 'نجفی'), members: [], foundedYear: 1398 },
  { key: 'bam-heritage', name: 'کانون دوستداران میراث فرهنگی ارگ بم', county: 'بم', fields: ['میراث فرهنگی و گردشگری'], authority: 'CULTURE', status: 'APPROVED', manager: person(50007, 'کامران', 'افشار'), members: [person(60071, 'آرش', 'بهرامی')], foundedYear: 1383 },
  { key: 'kerman-children', name: 'انجمن حمایت از کودکان کار کرمان', county: 'کرمان', fields: ['کودکان و نوجوانان', 'آسیب‌های اجتماعی و حاشیه‌نشینی'], authority: 'WELFARE', status: 'APPROVED', manager: person(50008, 'نسرین', 'اسدی'), members: [person(60081, 'هانیه', 'یوسفی'), person(60082, 'بهاره', 'قاسمی')], foundedYear: 1391 },
  { key: 'shahrbabak-health', name: 'مؤسسه سلامت‌یاران شهربابک', county: 'شهربابک', fields: ['بهداشت و سلامت'], authority: 'HEALTH', status: 'APPROVED', manager: person(50009, 'رضا', 'فرهادی'), members: [], foundedYear: 1399 },
  { key: 'sirjan-elderly', name: 'انجمن سالمندان باران سیرجان', county: 'سیرجان', fields: ['سالمندان'], authority: 'WELFARE', status: 'PENDING', manager: person(50010, 'منصور', 'باقری'), members: [], foundedYear: 1401 },
  { key: 'kahnuj-arts', name: 'گروه فرهنگی هنری نغمه کهنوج', county: 'کهنوج', fields: ['فرهنگی و هنری'], authority: 'CULTURE', status: 'PENDING', manager: person(50011, 'الهام', 'میرزایی'), members: [], foundedYear: 1402 },
  { key: 'ravar-nature', name: 'انجمن طبیعت‌گردی راور', county: 'راور', fields: ['محیط زیست', 'میراث فرهنگی و گردشگری'], authority: 'ENVIRONMENT', status: 'SUSPENDED', manager: person(50012, 'جواد', 'کرمانی'), members: [], foundedYear: 1394 },
];

const DAY = 24 * 60 * 60 * 1000;

export type SeedOutcome = { seeded: true; ngos: number } | { seeded: false; reason: 'already' };

export async function seedDemoData(prisma: PrismaClient, services: Services, clock: Clock): Promise<SeedOutcome> {
  if (await prisma.ngo.findFirst({ where: { name: NGOS[0]!.name } })) return { seeded: false, reason: 'already' };
  const now = clock.now();
  const ids = new Map<string, number>();
  for (const [index, ngo] of NGOS.entries()) ids.set(ngo.key, await insertNgo(prisma, ngo, index, now));
  const managerOf = (key: string) => BigInt(NGOS.find((n) => n.key === key)!.manager.id);
  const admin = BigInt(SUPER_ADMIN_ID);

  // Training needs: three NGOs ask for fundraising, which the course below answers.
  const topics = await services.training.topics();
  const topic = (name: string) => topics.find((t) => t.name === name)?.id ?? null;
  const fundraising = topic('جذب منابع مالی');
  const needs: [string, string | null, string, number][] = [
    [SIRJAN, 'جذب منابع مالی', 'برای طرح‌های آموزشی مدارس به حامی مالی نیاز داریم و راه جذب آن را نمی‌دانیم.', 4],
    ['rafsanjan-charity', 'جذب منابع مالی', 'آشنایی با روش‌های جذب کمک‌های مردمی و گزارش‌دهی شفاف به خیرین.', 5],
    ['kerman-addiction', 'جذب منابع مالی', 'جذب حمایت شرکت‌های بخش خصوصی برای برنامه‌های پیشگیری.', 5],
    ['jiroft-rehab', 'نگارش طرح و پروپوزال', 'نوشتن طرح برای دریافت حمایت از بهزیستی و خیرین.', 3],
    ['kerman-children', 'رسانه و شبکه‌های اجتماعی', 'معرفی فعالیت‌های انجمن در فضای مجازی بدون آسیب به حریم کودکان.', 2],
  ];
  for (const [key, topicName, description, participants] of needs) {
    await services.training.requestTraining(managerOf(key), { topicId: topic(topicName!), description, participants, format: 'IN_PERSON' });
  }

  // A fundraising workshop in 12 days: the three NGOs that asked enrol in their head start, and the
  // last of them waits in line.
  const startsAt = tehranMorning(now, 12);
  const { course } = await services.courses.create(admin, {
    title: 'کارگاه جذب منابع مالی برای سازمان‌های مردم‌نهاد',
    description: 'روش‌های جذب حامی، نوشتن درخواست حمایت و گزارش‌دهی به خیرین؛ با ارائه نمونه‌های موفق استان.',
    topicId: fundraising,
    startsAt,
    durationMinutes: 180,
    format: 'IN_PERSON',
    place: 'کرمان، دفتر تسهیلگری محله شهدا',
    onlineLink: null,
    capacity: 10,
    perNgoLimit: 5,
    registrationDeadline: new Date(startsAt.getTime() - 2 * DAY),
    eligibility: { countyIds: [], fieldIds: [] },
  });
  await services.courses.enrol(managerOf('rafsanjan-charity'), course.id, 5);
  await services.courses.enrol(managerOf('kerman-addiction'), course.id, 5);
  await services.courses.enrol(managerOf(SIRJAN), course.id, 4);

  // Feedback waiting for the office: a suggestion, a question, criticism, and an anonymous complaint.
  const feedback: [number, 'SUGGESTION' | 'QUESTION' | 'CRITICISM' | 'COMPLAINT', string, boolean][] = [
    [60021, 'SUGGESTION', 'پیشنهاد می‌کنیم جلسه هم‌اندیشی سمن‌ها هر فصل در یکی از شهرستان‌ها برگزار شود تا سمن‌های شهرستان‌های دور هم بتوانند شرکت کنند.', false],
    [50004, 'QUESTION', 'برای تمدید مجوز فعالیت انجمن چه مدارکی لازم است و درخواست را به کجا بفرستیم؟', false],
    [3002, 'CRITICISM', 'کارگاه‌های قبلی صبح‌ها برگزار شد و اعضای شاغل نتوانستند بیایند؛ لطفاً بعضی از دوره‌ها عصرها برگزار شود.', false],
    [60081, 'COMPLAINT', 'پاسخ نامه‌های ما درباره مجوز برگزاری نمایشگاه بیش از یک ماه طول کشیده و کسی پاسخگو نیست.', true],
  ];
  for (const [userId, type, text, anonymous] of feedback) {
    await services.feedback.submit(BigInt(userId), { type, parts: [text], attachments: [], anonymous });
  }

  // The Sirjan NGO's approved project, due in a week; and a report every approved NGO owes in two days.
  await services.deadlines.createProject(admin, {
    ngoId: ids.get(SIRJAN)!,
    title: 'آموزش تفکیک پسماند در مدارس سیرجان',
    amountToman: 230_000_000,
    startDate: jalaliDay(now, -83),
    dueDate: jalaliDay(now, 7),
    reminderDays: [7, 1, 0],
  });
  await services.deadlines.createGeneral(admin, {
    title: 'گزارش عملکرد شش‌ماهه',
    description: 'فعالیت‌ها، شمار داوطلبان و هزینه‌های شش ماه گذشته را در یک صفحه بفرستید.',
    audience: { countyIds: [], fieldIds: [] },
    dueDate: jalaliDay(now, 2),
    dueTime: { hour: 14, minute: 0 },
    reminderDays: [1, 0],
  });
  return { seeded: true, ngos: NGOS.length };
}

async function insertNgo(prisma: PrismaClient, ngo: DemoNgo, index: number, now: Date): Promise<number> {
  const people = [ngo.manager, ...ngo.members];
  for (const p of people) {
    await prisma.user.upsert({
      where: { id: BigInt(p.id) },
      create: { id: BigInt(p.id), firstName: p.firstName, lastName: p.lastName, language: 'fa' },
      update: {},
    });
  }
  const county = await prisma.county.findUniqueOrThrow({ where: { name: ngo.county } });
  const fields = await prisma.activityField.findMany({ where: { name: { in: ngo.fields } } });
  const submittedAt = new Date(now.getTime() - (200 - index * 12) * DAY);
  const decided = ngo.status !== 'PENDING';
  const created = await prisma.ngo.create({
    data: {
      name: ngo.name,
      registrationNumber: String(1_200 + index * 37),
      authority: ngo.authority,
      // A licensing authority other than OTHER is its own key (features/ngos/rules.ts authorityKey).
      authorityKey: ngo.authority,
      countyId: county.id,
      foundedYear: ngo.foundedYear,
      memberCount: 8 + index * 3,
      managerName: `${ngo.manager.firstName} ${ngo.manager.lastName}`,
      managerPhone: `+98913${String(5_000_000 + index * 1_111).padStart(7, '0')}`,
      description: null,
      status: ngo.status,
      statusReason: ngo.status === 'SUSPENDED' ? 'گزارش‌های دو طرح گذشته فرستاده نشده است.' : null,
      reviewedBy: decided ? BigInt(SUPER_ADMIN_ID) : null,
      reviewedAt: decided ? submittedAt : null,
      approvedAt: decided ? submittedAt : null,
      submittedAt: ngo.status === 'PENDING' ? new Date(now.getTime() - (index - 8) * DAY) : submittedAt,
      fields: { create: fields.map((f) => ({ fieldId: f.id })) },
    },
  });
  await prisma.ngoMember.create({ data: { userId: BigInt(ngo.manager.id), ngoId: created.id, role: 'MANAGER', joinedAt: submittedAt } });
  for (const m of ngo.members) await prisma.ngoMember.create({ data: { userId: BigInt(m.id), ngoId: created.id, role: 'MEMBER', joinedAt: submittedAt } });
  return created.id;
}

/** The Tehran calendar day `days` from now. */
function jalaliDay(now: Date, days: number): JalaliDate {
  const { jy, jm, jd } = toJalali(new Date(now.getTime() + days * DAY));
  return { jy, jm, jd };
}

/** 09:00 Tehran, `days` from now. */
function tehranMorning(now: Date, days: number): Date {
  return jalaliToDate(jalaliDay(now, days), { hour: 9, minute: 0 });
}
