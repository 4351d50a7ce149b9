// Reply triage: reads a client's emailed reply and suggests, for the owner to confirm, whether it names what is
// disputed (specific), complains without naming it (vague), accepts the balance (accepts) or says neither
// (unclear); which invoice lines it concerns; and the figures it sets against the invoice's. Deterministic and
// explainable: every signal that decided the suggestion is written into `reasons` (and each line's `why`).
// Nothing here decides anything: the owner confirms or corrects the suggestion on the case page.
import { distance } from 'fastest-levenshtein';
import { stemmer } from 'stemmer';
import { Dec, ROUND_HALF_EVEN } from './decimal.js';
import type { InvoiceLine } from './model.js';
import { currencyExponent, money, toDecimalString, type Money } from './money.js';

export type ReplyKind = 'specific' | 'vague' | 'accepts' | 'unclear';

export interface LineSuggestion {
  readonly lineId: string;
  /** Why this line is suggested: the words, quantity, rate or amount of the reply that point at it. */
  readonly why: readonly string[];
}

export interface ReplyTriage {
  readonly kind: ReplyKind;
  readonly lines: readonly LineSuggestion[];
  /** The client's own figure, as money: what they say was agreed, quoted, delivered or is fair. */
  readonly expected?: Money;
  /** The invoice's figure the client sets it against: what they say they were billed. */
  readonly received?: Money;
  /** Every amount of money (totals and rates) the reply mentions, in order, exactly parsed. */
  readonly amountsMentioned: readonly Money[];
  /** Human-readable: each signal that decided the suggestion. */
  readonly reasons: readonly string[];
}

export interface ReplyTriageInput {
  /** The reply as plain text (quoted history and signatures are stripped here). */
  readonly text: string;
  readonly lines: readonly InvoiceLine[];
  readonly currency: string;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The client's own words: quoted history, signatures and greetings removed.

const quoteHeaders: readonly RegExp[] = [
  /^\s*-{2,}\s*(original|forwarded) message\s*-{2,}/i,
  /^\s*_{8,}\s*$/,
  /^\s*(le|el|am|il|op|em)\s.{4,160}(a écrit|escribió|schrieb|ha scritto|schreef|escreveu)\s*:?\s*$/i,
  /^\s*sent from my \w+/i,
  /^\s*get outlook for/i,
];
const signatureStart = /^\s*--\s*$/;

/** The reply without the quoted thread (`>` lines, "On … wrote:" and "From:/Sent:" blocks) or the signature. */
export function ownWords(text: string): { readonly body: string; readonly removed: readonly string[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  const removed = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const joined = `${line} ${lines[i + 1] ?? ''}`;
    if (
      /^\s*on\s.+\bwrote:\s*$/i.test(line) ||
      (/^\s*on\s/i.test(line) && /\bwrote:\s*$/i.test(joined) && !/wrote:/i.test(line))
    ) {
      removed.add('the quoted earlier message ("On … wrote:")');
      break;
    }
    if (/^\s*from:\s*\S/i.test(line) && lines.slice(i + 1, i + 5).some((l) => /^\s*(sent|date|to|subject):/i.test(l))) {
      removed.add('the quoted earlier message ("From: … Sent: …")');
      break;
    }
    if (quoteHeaders.some((r) => r.test(line))) {
      removed.add('the quoted earlier message or mail footer');
      break;
    }
    if (signatureStart.test(line)) {
      removed.add('the signature');
      break;
    }
    if (/^\s*>/.test(line)) {
      removed.add('quoted lines (">")');
      continue;
    }
    kept.push(line);
  }
  // A sign-off near the end ("Thanks,\nMaria") and everything after it is not part of the message.
  for (let i = Math.max(0, kept.length - 6); i < kept.length; i++) {
    if (
      /^\s*(thanks|thank you|many thanks|regards|kind regards|best regards|best|cheers|sincerely|yours|saludos|un saludo|gracias|merci|cordialement|bien à vous|danke|viele grüße|mit freundlichen grüßen|grazie|cumprimentos|obrigad[oa])\b[,.!]?(\s+[\p{L}.'-]+){0,3}[,.!]?\s*$/iu.test(
        kept[i]!,
      ) &&
      kept.slice(i + 1).every((l) => l.trim().split(/\s+/).length <= 4)
    ) {
      kept.length = i;
      removed.add('the sign-off');
      break;
    }
  }
  let body = kept.join('\n').trim();
  // A greeting in any language ("Hi Sam,", "Hola Marta", "Bonjour", "Hallo zusammen") says nothing about the invoice.
  const greeting =
    /^(hi|hello|hey|dear|hiya|hola|buenas|buenos días|bonjour|bonsoir|salut|hallo|guten (tag|morgen)|moin|servus|ciao|salve|olá|ola|oi|hej|hei|good (morning|afternoon|evening)|greetings|morning|afternoon)(?=[\s,.!:;]|$)[^\n,.!:;]{0,30}[,.!:;]?[ \t]*/i;
  const g = greeting.exec(body);
  if (g) {
    body = body.slice(g[0].length).trim();
    removed.add(`the greeting ("${g[0].trim()}")`);
  }
  return { body, removed: [...removed] };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Numbers written in words become digits ("four hundred" → 400, "ten and a half hours" → 10.5 hours).

const smallNumbers: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  dozen: 12,
};
const scales: Record<string, number> = { hundred: 100, thousand: 1000, grand: 1000, million: 1_000_000 };
const isNumberWord = (w: string) => w in smallNumbers || w in scales;

export function wordsToDigits(text: string): string {
  const words = [...text.matchAll(/[A-Za-z]+/g)];
  let out = '';
  let last = 0;
  for (let i = 0; i < words.length; i++) {
    const first = words[i]!;
    const w0 = first[0].toLowerCase();
    const article =
      (w0 === 'a' || w0 === 'an') &&
      words[i + 1] &&
      /^(hundred|thousand|dozen)$/i.test(words[i + 1]![0]) &&
      /^\s+$/.test(text.slice(first.index + first[0].length, words[i + 1]!.index));
    if (!isNumberWord(w0) && !article) continue;
    if (w0 === 'grand') continue; // "grand" alone is not a number
    let total = 0;
    let current = article ? 1 : 0;
    let j = article ? i + 1 : i;
    let end = first.index + first[0].length;
    let half = false;
    for (; j < words.length; j++) {
      const m = words[j]!;
      const gap = text.slice(end, m.index);
      if (j > i && !/^[\s-]*$/.test(gap)) break;
      const w = m[0].toLowerCase();
      if (w === 'and' || w === 'a') {
        // "one hundred and twenty", "two and a half"
        const next = words[j + 1]?.[0].toLowerCase();
        const after = words[j + 2]?.[0].toLowerCase();
        if (w === 'and' && next && isNumberWord(next) && next !== 'grand') {
          end = m.index + m[0].length;
          continue;
        }
        if (w === 'and' && next === 'a' && after === 'half') {
          half = true;
          end = words[j + 2]!.index + 4;
          j += 2;
          continue;
        }
        break;
      }
      if (w in smallNumbers) current += smallNumbers[w]!;
      else if (w === 'hundred') current = (current || 1) * 100;
      else if (w in scales) {
        total += (current || 1) * scales[w]!;
        current = 0;
      } else break;
      end = m.index + m[0].length;
    }
    const value = new Dec(total + current).plus(half ? '0.5' : 0);
    out += text.slice(last, first.index) + value.toString();
    last = end;
    i = j - 1;
  }
  return out + text.slice(last);
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Figures: amounts of money, rates and quantities, each exactly parsed.

type FigureKind = 'money' | 'rate' | 'quantity' | 'bare';
interface Figure {
  readonly kind: FigureKind;
  /** Exact decimal value (money in major units). */
  readonly value: string;
  readonly money?: Money;
  /** Stem of the unit word for a quantity or rate ("hour", "photo"). */
  readonly unit?: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const dollarCurrencies = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN']);
const unitWords =
  /^(hours?|hrs?|h|days?|half-days?|nights?|weeks?|months?|photos?|photographs?|images?|pictures?|shots?|pages?|screens?|units?|items?|pieces?|pcs|visits?|sessions?|trips?|call-?outs?|metres?|meters?|m|m2|sqm|feet|ft|sq|words?|revisions?|rounds?|licen[cs]es?|seats?|videos?|drafts?|mock-?ups?|concepts?|posts?|articles?|edits?|boxes|bags?|panels?|coats?|rooms?|windows?|doors?|outlets?|sockets?|fittings?|radiators?|taps?|lengths?|sheets?|tickets?|modules?|workshops?|attendees?|people|guests?|copies|prints?|deliveries|loads?|trees?|times|cuts|mows|minutes|mins?)$/i;
const hourish = new Set(['hour', 'hr', 'h']);
const genericCounts = new Set(['time', 'visit', 'session', 'trip']);
const month = String.raw`\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b\.?`;
const monthBefore = new RegExp(`${month}\\s*$`, 'i');
const monthAfter = new RegExp(`^\\s*${month}`, 'i');

function currencyOf(marker: string, invoiceCurrency: string): string | undefined {
  if (marker === '$invoice') return invoiceCurrency; // "4.5k": thousands of the invoice's currency
  const m = marker.trim().toLowerCase();
  if (
    m === '$' ||
    m === 'us$' ||
    m === 'c$' ||
    m === 'ca$' ||
    m === 'a$' ||
    m === 'au$' ||
    m === 'nz$' ||
    /^(dollars?|bucks)$/.test(m)
  ) {
    if (m === '$' || /^(dollars?|bucks)$/.test(m))
      return dollarCurrencies.has(invoiceCurrency) ? invoiceCurrency : 'USD';
    return { us$: 'USD', c$: 'CAD', ca$: 'CAD', a$: 'AUD', au$: 'AUD', nz$: 'NZD' }[m];
  }
  if (m === '€' || /^euros?$/.test(m)) return 'EUR';
  if (m === '£' || /^(pounds?|quid)$/.test(m)) return 'GBP';
  if (m === '¥') return 'JPY';
  if (/^[a-z]{3}$/.test(m)) return m.toUpperCase();
  return undefined;
}

/** "1,200.50", "1.200,50", "400,00", "1.5" → a plain decimal string. */
function plainDecimal(raw: string): string {
  const lastComma = raw.lastIndexOf(',');
  const lastDot = raw.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const decimalSep = lastComma > lastDot ? ',' : '.';
    const thousands = decimalSep === ',' ? '.' : ',';
    return raw.split(thousands).join('').replace(decimalSep, '.');
  }
  const sep = lastComma >= 0 ? ',' : lastDot >= 0 ? '.' : undefined;
  if (!sep) return raw;
  const groups = raw.split(sep);
  // One separator followed by exactly three digits (or several separators) groups thousands; otherwise it is the decimal point.
  if (groups.length > 2 || groups[groups.length - 1]!.length === 3) return groups.join('');
  return groups.join('.');
}

/**
 * An exact amount: a written figure with more decimals than the currency has is not read as an amount at all;
 * a computed one (a quantity times a unit price) is rounded half-even, as the ledger rounds a line.
 */
function toMoney(value: string, currency: string, rounding: 'exact' | 'round' = 'exact'): Money | undefined {
  try {
    const exp = currencyExponent(currency);
    const d = new Dec(value);
    if (rounding === 'exact' && d.decimalPlaces() > exp) return undefined;
    const minor = d.times(new Dec(10).pow(exp)).toDecimalPlaces(0, ROUND_HALF_EVEN);
    return money(minor.toNumber(), currency);
  } catch {
    return undefined; // an unknown currency code or an amount out of range is not an amount we can use
  }
}

const figurePattern = new RegExp(
  String.raw`(?<pre>(?:us|c|ca|a|au|nz)\$|\$|€|£|¥|\b(?:usd|eur|gbp|cad|aud|nzd|chf|sek|nok|dkk)\b)?\s?` +
    String.raw`(?<num>\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d))(?<k>k\b)?` +
    String.raw`(?<suf>\s?(?:€|£|\$|\b(?:usd|eur|gbp|cad|aud|nzd|chf|dollars?|bucks|euros?|pounds?|quid)\b))?`,
  'gi',
);
const ratePattern =
  /^\s*(?:\/|per\b|an?\b|each\b|p\/?)\s*(hour|hr|h|day|night|week|month|photo|image|page|unit|item|visit|session|word|metre|meter|m2|sqm|sq\s?ft|ft|person|head|room|print|license|licence|seat)s?\b|^\s*(hourly|daily|each|apiece|\/h\b|ph\b|p\/h\b)/i;

function extractFigures(text: string, invoiceCurrency: string, descriptionStems: ReadonlySet<string>): Figure[] {
  const figures: Figure[] = [];
  for (const m of text.matchAll(figurePattern)) {
    const g = m.groups!;
    const start = m.index + (m[0].length - m[0].trimStart().length);
    const end = m.index + m[0].trimEnd().length;
    const before = text.slice(Math.max(0, start - 12), start);
    const after = text.slice(end, end + 40);
    const marker = g.pre ?? g.suf?.trim() ?? (g.k ? '$invoice' : undefined);
    // Not an amount or quantity: invoice numbers, times, dates, ordinals, percentages, phone numbers, years.
    if (/(#|\bno\.?|\bnumber|\binv(oice)?\.?|\bref\.?|\bpo)\s*$/i.test(before)) continue;
    if (/^\s*(am|pm|th|st|nd|rd|%|:\d|\/\d|-\d{2})/i.test(after) || /\d[/:-]$/.test(before)) continue;
    if (!marker && (monthBefore.test(before) || monthAfter.test(after))) continue;
    if (!marker && /^(19|20)\d\d$/.test(g.num!)) continue;
    const value = g.k ? new Dec(plainDecimal(g.num!)).times(1000).toString() : plainDecimal(g.num!);
    const rate = ratePattern.exec(after);
    if (marker) {
      const currency = currencyOf(marker, invoiceCurrency);
      const amount = currency ? toMoney(value, currency) : undefined;
      if (!amount) continue;
      if (rate) {
        const unit = stemmer(
          (rate[1] ?? rate[2] ?? 'hour')
            .toLowerCase()
            .replace(/^(hourly|\/h|ph|p\/h)$/, 'hour')
            .replace(/^daily$/, 'day')
            .replace(/^(each|apiece)$/, 'unit'),
        );
        figures.push({
          kind: 'rate',
          value,
          money: amount,
          unit,
          start,
          end: end + rate[0].length,
          text: m[0].trim() + rate[0],
        });
      } else {
        figures.push({ kind: 'money', value, money: amount, start, end, text: m[0].trim() });
      }
      continue;
    }
    // A quantity: a number followed within two words by a unit, or by a word of an invoice line's description.
    const next = [...after.slice(0, 30).matchAll(/[A-Za-z][A-Za-z0-9-]*/g)].slice(0, 2);
    const unitWord = next.find(
      (w, i) =>
        (i === 0 || /^\s*\S+\s+$/.test(after.slice(0, w.index))) &&
        (unitWords.test(w[0]) || descriptionStems.has(stemmer(w[0].toLowerCase()))),
    );
    if (unitWord) {
      const unit = stemmer(
        unitWord[0]
          .toLowerCase()
          .replace(/^hrs?$/, 'hour')
          .replace(/^h$/, 'hour'),
      );
      figures.push({
        kind: 'quantity',
        value,
        unit,
        start,
        end: end + unitWord.index + unitWord[0].length,
        text: `${g.num} ${unitWord[0]}`,
      });
    } else {
      figures.push({ kind: 'bare', value, start, end, text: g.num! });
    }
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Words: description tokens matched with stemming and tolerance for typos.

const stopwords = new Set(
  (
    'the a an and or of for to in on at by per from with without incl including inc plus as is are was were be been ' +
    'this that these those our your my we you it its their them they i me us he she his her there here ' +
    'work works job jobs service services project projects fee fees charge charges charged cost costs item items invoice ' +
    'invoices hour hours hrs hr time times total totals amount amounts misc miscellaneous other general standard rate ' +
    'rates day days unit units qty quantity each price line lines bill billed billing payment pay paid balance ' +
    'please thanks thank regards cheers hello hi hey dear hola bonjour hallo ciao salut buenas merci danke gracias ' +
    'not no yes very just also still only all any some more less much many too been have has had will would can could ' +
    'should did does do done about what which when where why how who week month year today tomorrow half full ' +
    'fixed flat extra'
  ).split(' '),
);

interface Token {
  readonly word: string;
  readonly stem: string;
}
const tokenize = (text: string): Token[] =>
  [
    ...text
      .toLowerCase()
      .normalize('NFKC')
      .matchAll(/[\p{L}][\p{L}'’-]*/gu),
  ]
    .map((m) => m[0].replace(/['’]s$/, '').replace(/['’-]/g, ''))
    .filter((w) => w.length >= 3 && !stopwords.has(w))
    .map((word) => ({ word, stem: stemmer(word) }));

function adjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
}

/** How a reply word matches a description word, or undefined: same stem, or a typo of it. */
function wordMatch(reply: Token, desc: Token): 'exact' | 'stem' | 'typo' | undefined {
  if (reply.word === desc.word) return 'exact';
  if (reply.stem === desc.stem) return 'stem';
  const shorter = Math.min(reply.word.length, desc.word.length);
  if (shorter < 5 || reply.word[0] !== desc.word[0]) return undefined;
  const d = distance(reply.word, desc.word);
  if (d <= 1 || (d <= 2 && shorter >= 8) || adjacentSwap(reply.word, desc.word)) return 'typo';
  // A stem that is a prefix of the other ("photo" / "photography") at five letters or more.
  const [s, l] = reply.stem.length <= desc.stem.length ? [reply.stem, desc.stem] : [desc.stem, reply.stem];
  if (s.length >= 5 && l.startsWith(s)) return 'stem';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Cues: what the client says about paying, disputing, and whose figure a number is.

const conditionalPay =
  /\b(pay|paying|payment|settle)\b[^.?!]{0,50}\b(once|when|until|till|after|if|as soon as)\s+(you|it'?s|it is|this is|that is|the (work|job|leak|issue|problem|invoice|error|mistake|photos|site|website|app|logo|credit)|a (credit|corrected|revised|new|proper)|we (get|receive|see|have)|we've)/gi;
/** Offers that would settle the whole invoice for less ("full and final"): an objection, never an acceptance. */
const settlement =
  /\b(full and final|in full settlement|as full settlement|full settlement|as (payment )?in full|final settlement)\b/gi;
const refusals =
  /\b(won'?t|will not|not going to|refuse to|cannot|can'?t|shouldn'?t have to|should(n'?t| not)( have to)?|aren'?t going to|are not going to|don'?t intend to|do not intend to|not prepared to)\s+(be\s+)?pay(ing)?\b(?![^.?!]{0,20}\b(until|till|before|by) (the |next |end|friday|monday|tuesday|wednesday|thursday|saturday|sunday|\d))|\bnot paying\b|\bno way\b|\b(don'?t|do not) owe\b|\bowe (you )?nothing\b/gi;
/** A claim that the invoice as a whole is not owed, for a reason the owner can check. */
const factualWhole =
  /\b(never (received|got|ordered|asked|agreed|commissioned|hired|booked|signed)|not (delivered|received|ordered|our invoice|my invoice|for us|for me)|cancel+ed|cancel+ation|already paid|paid (this|it|that|the invoice)( in full)? (already|last|on|back)|duplicate|(wrong|different) (company|client|customer|address|person)|not (our|my) (company|invoice|job|project))\b/gi;
const acceptPhrases =
  // provider-names: allowed (a client names the payment service in their own words)
  /\b(we'?ll|we will|i'?ll|i will|we can|we are going to|we're going to|going to|happy to|fine to|ok to|okay to|able to|plan to|intend to|will)\s+(pay|settle|transfer|sort (it|this|that)|send (the )?(payment|money|funds|balance|rest|remainder))\b|\bcan (we|i) pay\b|\b(payment|transfer|cheque|check|funds?)\s+(has been|was|were|is|have been|will be|will)\s+(sent|made|scheduled|done|initiated|processed|issued|posted|authori[sz]ed|approved|queued|go out|goes out|follow|be made|be sent)\b|\b(i|we)('ve| have)?\s+(just\s+)?(paid|sent (the )?(payment|money|balance|remainder|rest)|transferred|settled)\b|\bpaid (it |this |the (balance|rest|remainder) )?(today|this morning|just now|in full)\b|\bpaying (it |this )?(now|today|tomorrow|this week)\b|\b(wire |bank )?(transfer|payment)s? (initiated|done|sent|made|scheduled|booked|on (its|the) way)\b|\bcheque'?s in the (post|mail)\b|\bpaid (it |this )?(through|via|by|online|on) (your|the|card|bank|transfer|stripe|paypal)\b|\b(cheque|check) is in the (post|mail)\b|\bpayment run\b|\bno (problem|worries|issues?)\b|\bnot a problem\b|\bfair enough\b|\byou'?re right\b|\ball (good|fine)\b|\bsorry for the (delay|late payment)\b|\bwill be paid\b|\bgets? paid\b|\bcan'?t pay (it |this )?(until|till|before)\b|\b(won'?t|will not) be able to pay (it |this )?(until|till|before)\b|\bpay (it |this |the balance |the rest |you )?(by|on|next|at the end|end of|this|within|in \d+|later)\b|\bin (\d+ )?(instal|install)ments?\b|\bpayment plan\b|\b(not|no|don'?t|do not|aren'?t) disput\w*|\b(we|i)('d| would)? accept( paying)?\b/gi;
/** Praise negated ("not really happy with") is displeasure, read before praise and acceptance. */
const displeasure =
  /\b(not|never|hardly|far from)\s+(really\s+|very\s+|at all\s+|entirely\s+|too\s+)?(happy|pleased|satisfied|content|fine|ok|okay|great|good)\b/gi;
/** Praise for a line ("we love the photos") keeps it out of the suggestion without accepting the balance. */
const praise =
  /\b(happy|fine|ok|okay|content|pleased) with\b|\b(love|loved|great|excellent|thank you|is fine|are fine|was fine|were fine)\b/gi;
const disputeWords =
  /\b(expected (better|more)|not (thrilled|impressed|comfortable|pleased|convinced)|disgust\w*|appalled|furious|angry|(not|won'?t) see a penny|not a penny|does(n'?t| not) reflect|went over|not on|not fair|unfair|not right|not (good|great) enough|not happy|unhappy|not (really )?happy|not satisfied|dissatisfied|disappointed|disappointing|frustrat\w*|unacceptable|not acceptable|not ok|not okay|over-?charg\w*|too (much|high|expensive|steep|many|long|dark|light)|way (too|more|over)|far (too|more)|over (the )?(quote|budget|estimate)|rip-?off|ripped off|ridiculous|outrageous|excessive|extortionate|absurd|joke|steep|pricey|a lot for|seems? (high|a lot|steep|excessive|expensive|much)|double-?dipping|void|wrong|incorrect|error|mistake\w*|dispute\w*|disput\w*|query|querying|contest\w*|object\w*|poor|poorly|shoddy|sloppy|sub-?par|substandard|botched|rubbish|terrible|awful|mess|unfinished|incomplete|half-?finished|not (done )?properly|still (leak\w*|broken|drip\w*|not|in)|broke|broken|faulty|leak\w*|doesn'?t (match|work|look)|does not (match|work)|nothing like|not worth|waste|complain\w*|issue with|problem with|concerns?|padded|inflated|double-?(charged|billed)|charged twice|billed twice|twice|duplicate\w*|more than (we|i|agreed|quoted|the)|never|didn'?t|did not|wasn'?t|was not|weren'?t|were not|haven'?t|have not|hasn'?t|has not|can'?t sign off|not (what|the|our|my|for|done|delivered|received|included|agreed|ordered|requested|authori[sz]ed|approved|sure)|without (asking|our|my|approval|permission)|unauthori[sz]ed|no one asked|nobody (asked|told)|surprised|shocked|unexpected|why (is|are|was|were|did|have|has|do|does|would|on earth)|who (approved|authori[sz]ed|asked|agreed)|what is this|what'?s this|explain|clarif\w*|breakdown|justify|reconsider|should(n'?t| not) (have|be)|should (only )?(be|have|cost)|sup+os+ed to|refund|credit|discount|reduc\w*|knock off|take (it )?off|remove|left after|in and out|solicitor|lawyer)\b/gi;
const callRequest =
  /\b(call|ring|phone|zoom|teams|meet|chat|talk|speak)\b[^.?!]{0,40}\b(me|us|you|about|to discuss|discuss|this week|today|tomorrow|when you|sometime)\b|\b(call|ring|phone) (me|us)\b|\bhop on a call\b|\bjump on a call\b|\bquick call\b/i;

const billedCue =
  /\b(bill(ed|ing|s)?|invoic(ed|ing|es)|charg(ed|ing|es)|you'?ve (put|added|listed|claimed|got)|you have (put|added|listed|claimed)|(invoice|bill) (says|shows|is|was|has|lists|came to|comes to|states)|came to|comes to|asking (us )?for|ask(ed|ing)? us to pay|want(s|ing)? (us to pay|me to pay)|instead)\b/gi;
const clientCue =
  /\b(agreed|agreement|agree|quote[ds]?|quotation|estimat\w*|expect\w*|supposed to|should|promised|told|would be|budget\w*|contract\w*|approved|sign(ed)? off|signed|meant to|max(imum)?|cap(ped)?|no more than|not more than|only|actually|fixed|flat|worked|spent|took|received|delivered|got|gave us|asked for|booked|proposal|sow|count(ed)?|accept|happy to pay|will pay|fair|reasonable|offer\w*|rather than)\b/gi;

interface Clause {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function clausesOf(text: string): Clause[] {
  const out: Clause[] = [];
  const boundary =
    /(?<=[.!?])\s+|\n+|[;:,]\s|\s[-–—]\s|\b(?=(but|however|although|though|whereas|except|apart from)\b)/gi;
  let last = 0;
  for (const m of text.matchAll(boundary)) {
    if (m.index > last) out.push({ start: last, end: m.index, text: text.slice(last, m.index) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ start: last, end: text.length, text: text.slice(last) });
  return out.filter((c) => c.text.trim().length > 0);
}

function cueAt(text: string, pattern: RegExp): { index: number; text: string }[] {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags))].map((m) => ({ index: m.index, text: m[0] }));
}

/** Blanks matched spans so that later patterns do not see them again (keeping offsets). */
function mask(text: string, spans: readonly { index: number; text: string }[]): string {
  let out = text;
  for (const s of spans) out = out.slice(0, s.index) + ' '.repeat(s.text.length) + out.slice(s.index + s.text.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 6. The classifier.

const fmt = (m: Money) => `${m.currency} ${toDecimalString(m)}`;
const sameValue = (a: string, b: string) => {
  try {
    return new Dec(a).equals(new Dec(b));
  } catch {
    return false;
  }
};
const quoted = (s: string) => `"${s.trim().replace(/\s+/g, ' ')}"`;

interface LineInfo {
  readonly line: InvoiceLine;
  readonly tokens: readonly Token[];
}

export function triageReply(input: ReplyTriageInput): ReplyTriage {
  const { currency } = input;
  const reasons: string[] = [];
  const { body, removed } = ownWords(input.text);
  if (removed.length) reasons.push(`Read the client's own words only: left out ${removed.join(', ')}.`);
  const text = wordsToDigits(body);
  if (text !== body) reasons.push('Read numbers written in words as figures.');

  const infos: LineInfo[] = input.lines.map((line) => ({ line, tokens: tokenize(line.description) }));
  const df = new Map<string, number>();
  for (const info of infos)
    for (const stem of new Set(info.tokens.map((t) => t.stem))) df.set(stem, (df.get(stem) ?? 0) + 1);
  const descriptionStems = new Set(df.keys());
  const invoiceTotal = input.lines.reduce(
    (s, l) => (l.amount.currency === currency ? s.plus(l.amount.minor) : s),
    new Dec(0),
  );

  const figures = extractFigures(text, currency, descriptionStems);
  const amountsMentioned = figures.flatMap((f) => (f.money ? [f.money] : []));

  // Cues, strongest first, each masking its words from the weaker ones.
  const conditional = cueAt(text, conditionalPay);
  const settle = cueAt(mask(text, conditional), settlement);
  const refusal = cueAt(mask(text, [...conditional, ...settle]), refusals);
  const factual = cueAt(mask(text, [...conditional, ...settle, ...refusal]), factualWhole);
  const strong = [...conditional, ...settle, ...refusal, ...factual];
  strong.push(...cueAt(mask(text, strong), displeasure));
  const accept = cueAt(mask(text, strong), acceptPhrases);
  const praised = cueAt(mask(text, [...strong, ...accept]), praise);
  const dispute = cueAt(mask(text, [...strong, ...accept, ...praised]), disputeWords);
  const disputeAll = [...strong, ...dispute].sort((x, y) => x.index - y.index);

  // Lines named in each clause, by description words, quantity, rate or amount, kept by what the clause does
  // with them: objects to them (a dispute cue or a question), only names them, or accepts or praises them.
  const objected = new Map<string, string[]>();
  const named = new Map<string, string[]>();
  const acceptedOnly = new Map<string, string[]>();
  const addWhy = (map: Map<string, string[]>, id: string, why: string) => {
    const list = map.get(id) ?? [];
    if (!list.includes(why)) list.push(why);
    map.set(id, list);
  };
  const clauses = clausesOf(text);
  const describedPerClause = clauses.map((c) => describedLines(c.text, infos, df));
  const describedAll = new Set(describedPerClause.flat().map((m) => m.line.id));
  const roles = figureRoles(text, figures);
  for (const [n, clause] of clauses.entries()) {
    const inClause = (i: number) => i >= clause.start && i < clause.end;
    const objects = disputeAll.some((c) => inClause(c.index)) || /\?/.test(clause.text);
    const keepsOut = !objects && [...accept, ...praised].some((c) => inClause(c.index));
    const target = objects ? objected : keepsOut ? acceptedOnly : named;
    for (const m of describedPerClause[n]!) {
      addWhy(target, m.line.id, `names it: ${m.words.join(', ')} in its description "${m.line.description}"`);
    }
    for (const f of figures.filter((fig, n) => inClause(fig.start) && roles[n] !== 'client')) {
      if (f.kind === 'bare') continue;
      const fitting = infos.filter((info) => figureFits(f, info, infos));
      // A quantity or rate names a line the reply also names by description, when it names any; an amount stands alone.
      const preferred =
        f.kind === 'money' || describedAll.size === 0
          ? fitting
          : fitting.filter(({ line }) => describedAll.has(line.id));
      for (const { line } of preferred) {
        const why =
          f.kind === 'quantity'
            ? `its quantity: ${quoted(f.text)} is the ${line.quantity} on the line`
            : f.kind === 'money' && f.money?.minor === line.amount.minor
              ? `its amount: ${quoted(f.text)} is the line's ${fmt(line.amount)}`
              : `its rate: ${quoted(f.text)} is the line's unit price ${fmt(line.unitPrice)}`;
        addWhy(target, line.id, why);
      }
    }
  }
  // The lines the client objects to; when no clause objects to a line, every line the reply names.
  const lineWhy = objected.size ? objected : named;

  // Figures the client sets against each other: the client's figure (agreed, quoted, delivered) and the billed one.
  const pair = figurePair(figures, roles, infos, describedAll);
  let expected: Money | undefined;
  let received: Money | undefined;
  if (pair) {
    const { client, billed } = pair;
    const billedLine = pair.line ?? (lineWhy.size === 1 ? infos.find((i) => lineWhy.has(i.line.id))?.line : undefined);
    if (client.kind === 'money' && billed.kind === 'money') {
      expected = client.money;
      received = billed.money;
      reasons.push(
        `Sets figures against each other: ${quoted(client.text)} as the client's figure, ${quoted(billed.text)} as what was billed.`,
      );
    } else if (client.kind === 'rate' && billed.kind === 'rate') {
      if (billedLine) {
        expected = times(client.value, billedLine.quantity, currency);
        received = times(billed.value, billedLine.quantity, currency);
        reasons.push(
          `Sets rates against each other: ${quoted(client.text)} against ${quoted(billed.text)}; over the ${billedLine.quantity} of "${billedLine.description}" that is ${expected ? fmt(expected) : '?'} against ${received ? fmt(received) : '?'}.`,
        );
      } else {
        expected = client.money;
        received = billed.money;
        reasons.push(`Sets rates against each other: ${quoted(client.text)} against ${quoted(billed.text)}.`);
      }
    } else if (client.kind === 'quantity' && billed.kind === 'quantity') {
      if (billedLine) {
        const price = toDecimalString(billedLine.unitPrice);
        expected = times(client.value, price, currency);
        received = times(billed.value, price, currency);
        reasons.push(
          `Sets quantities against each other: ${quoted(client.text)} against ${quoted(billed.text)}; at ${fmt(billedLine.unitPrice)} each on "${billedLine.description}" that is ${expected ? fmt(expected) : '?'} against ${received ? fmt(received) : '?'}.`,
        );
      } else {
        reasons.push(
          `Sets quantities against each other: ${quoted(client.text)} against ${quoted(billed.text)} (no single line to price them by).`,
        );
      }
    }
    if (billedLine) addWhy(lineWhy, billedLine.id, `the billed figure ${quoted(billed.text)} is on this line`);
    if (expected?.currency !== currency || received?.currency !== currency) {
      expected = undefined;
      received = undefined;
    }
  }
  const figuresStated = Boolean(pair && (expected || received || pair.client.kind === 'quantity'));

  // The invoice total named as a figure, or a factual objection to the whole invoice ("we cancelled", "already paid").
  const namesTotal = figures.some(
    (f) =>
      f.kind === 'money' &&
      f.money?.currency === currency &&
      invoiceTotal.equals(f.money.minor) &&
      input.lines.length > 1,
  );

  // Lines the client accepts or praises and objects to nowhere stay out.
  for (const [id, why] of acceptedOnly)
    if (!lineWhy.has(id))
      reasons.push(
        `Leaves out "${input.lines.find((l) => l.id === id)?.description}", which the client accepts or praises (${why.join('; ')}).`,
      );

  let kind: ReplyKind;
  let lines: LineSuggestion[] = input.lines
    .filter((l) => lineWhy.has(l.id))
    .map((l) => ({ lineId: l.id, why: lineWhy.get(l.id)! }));
  const question = /\?/.test(text);
  const disputeText = disputeAll.map((c) => quoted(c.text));
  const acceptText = accept.map((c) => quoted(c.text));
  if (figuresStated) {
    kind = 'specific';
    if (disputeText.length) reasons.push(`Objects: ${disputeText.join(', ')}.`);
  } else if (lines.length && (disputeAll.length || question || !accept.length)) {
    kind = 'specific';
    reasons.push(
      disputeAll.length
        ? `Objects: ${disputeText.join(', ')}.`
        : question
          ? 'Asks about a named line.'
          : 'Names a line of the invoice and does not accept the balance.',
    );
  } else if (factual.length) {
    kind = 'specific';
    reasons.push(
      `Objects to the whole invoice with a reason the owner can check: ${factual.map((c) => quoted(c.text)).join(', ')}.`,
    );
  } else if (disputeAll.length) {
    kind = 'vague';
    reasons.push(
      `Objects (${disputeText.join(', ')}) but names no line, quantity, rate or amount of the invoice, and states no expected-versus-billed figures.`,
    );
  } else if (accept.length) {
    kind = 'accepts';
    reasons.push(`Accepts the balance: ${acceptText.join(', ')}.`);
  } else {
    kind = 'unclear';
    reasons.push(
      callRequest.test(text)
        ? 'Asks for a call or a conversation; neither objects nor accepts.'
        : 'Neither objects to the invoice nor accepts the balance in words this reads.',
    );
  }
  if (kind === 'specific' && !lines.length && (factual.length || namesTotal)) {
    lines = input.lines.map((l) => ({
      lineId: l.id,
      why: [
        factual.length
          ? `the whole invoice: ${quoted(factual[0]!.text)}`
          : 'the whole invoice: the reply names its total',
      ],
    }));
  }
  if (kind === 'specific' && settle.length)
    reasons.push(`Offers a settlement: ${settle.map((c) => quoted(c.text)).join(', ')}.`);
  if (kind === 'specific' && conditional.length)
    reasons.push(`Makes payment conditional: ${conditional.map((c) => quoted(c.text)).join(', ')}.`);
  if (kind === 'specific' && refusal.length)
    reasons.push(`Refuses payment: ${refusal.map((c) => quoted(c.text)).join(', ')}.`);
  if (kind === 'specific' && accept.length) reasons.push(`Accepts the rest: ${acceptText.join(', ')}.`);
  if (kind !== 'specific') lines = [];
  for (const l of lines)
    reasons.push(`Concerns "${input.lines.find((x) => x.id === l.lineId)?.description}": ${l.why.join('; ')}.`);
  return {
    kind,
    lines,
    amountsMentioned,
    reasons,
    ...(expected && kind === 'specific' ? { expected } : {}),
    ...(received && kind === 'specific' ? { received } : {}),
  };
}

/** Invoice lines a clause names by the words of their descriptions: stems, typos, and how distinctive each word is. */
function describedLines(
  clause: string,
  infos: readonly LineInfo[],
  df: ReadonlyMap<string, number>,
): { line: InvoiceLine; words: string[] }[] {
  const quality = { exact: 3, stem: 2, typo: 1 } as const;
  const replyTokens = tokenize(clause);
  const hits = infos.map((info) => ({
    info,
    hits: [] as { desc: Token; reply: Token; how: keyof typeof quality; df: number }[],
  }));
  // A reply word counts only for the lines it matches best: "photos" names "Edited photos", not "Event photography".
  for (const reply of replyTokens) {
    const found = infos.flatMap((info, i) =>
      info.tokens.flatMap((desc) => {
        const how = wordMatch(reply, desc);
        return how ? [{ i, desc, how }] : [];
      }),
    );
    const best = Math.max(0, ...found.map((f) => quality[f.how]));
    for (const f of found.filter((x) => quality[x.how] === best)) {
      const h = hits[f.i]!.hits;
      if (!h.some((x) => x.desc.stem === f.desc.stem))
        h.push({ desc: f.desc, reply, how: f.how, df: df.get(f.desc.stem) ?? 1 });
    }
  }
  const every = infos.length;
  // A word unique to one line names it; words shared by some lines name those that share the most of them;
  // a word every line has ("design" on a design studio's invoice) names none.
  const distinct = hits.filter((m) => m.hits.some((h) => h.df === 1 || every === 1));
  const sharedCount = (m: (typeof hits)[number]) => m.hits.filter((h) => h.df < every).length;
  const maxShared = Math.max(0, ...hits.map(sharedCount));
  const chosen = distinct.length ? distinct : maxShared > 0 ? hits.filter((m) => sharedCount(m) === maxShared) : [];
  return chosen.map((m) => ({
    line: m.info.line,
    words: m.hits
      .filter((h) => (distinct.length ? h.df === 1 || every === 1 : h.df < every))
      .map((h) => (h.how === 'typo' ? `"${h.reply.word}" (read as "${h.desc.word}")` : `"${h.reply.word}"`)),
  }));
}

function times(a: string, b: string, currency: string): Money | undefined {
  return toMoney(new Dec(a).times(new Dec(b)).toString(), currency, 'round');
}

type Role = 'client' | 'billed' | undefined;

/** Whether a figure points at an invoice line: its quantity (with a unit that fits), its rate, or its amount. */
function figureFits(f: Figure, { line, tokens }: LineInfo, infos: readonly LineInfo[]): boolean {
  if (f.kind === 'quantity' || f.kind === 'bare') {
    if (!sameValue(f.value, line.quantity)) return false;
    if (f.kind === 'bare') return true;
    const unitFits =
      genericCounts.has(f.unit ?? '') ||
      tokens.some((t) => t.stem === f.unit) ||
      (hourish.has(f.unit ?? '') &&
        /\b(hours?|hrs?|h|time|labou?r|consult\w*|develop\w*|support|hourly)\b/i.test(line.description));
    const unique = infos.filter((o) => sameValue(o.line.quantity, f.value)).length === 1;
    return unitFits || (unique && !sameValue(f.value, '1'));
  }
  if (!f.money || f.money.currency !== line.amount.currency) return false;
  if (f.kind === 'rate') return f.money.minor === line.unitPrice.minor;
  return (
    f.money.minor === line.amount.minor || (f.money.minor === line.unitPrice.minor && !sameValue(line.quantity, '1'))
  );
}

/**
 * Whose figure each one is, by the nearest cue before it in its clause ("agreed", "quoted", "only" for the
 * client's; "billed", "invoice says" for the invoice's), by "not" / "instead of" after another figure, or by a cue
 * just after it ("$1,200 was the quote").
 */
function figureRoles(text: string, figures: readonly Figure[]): Role[] {
  const clientCues = cueAt(text, clientCue);
  const billedCues = cueAt(text, billedCue);
  const clauseStart = (i: number) => {
    const ends = [...text.slice(0, i).matchAll(/[.!?](?=\s)|\n|[;:,](?=\s)|\bbut\b/gi)];
    return ends.length ? ends.at(-1)!.index + 1 : 0;
  };
  const roles: Role[] = [];
  for (const f of figures) {
    const previous = roles.at(-1);
    const from = Math.max(clauseStart(f.start), f.start - 60);
    const before = text.slice(from, f.start);
    const c = clientCues.filter((x) => x.index >= from && x.index < f.start).at(-1);
    const b = billedCues.filter((x) => x.index >= from && x.index < f.start).at(-1);
    const after = text.slice(f.end, f.end + 40);
    if (/\b(not|rather than|instead of|vs\.?|versus)\s*$/i.test(before) && previous)
      roles.push(previous === 'client' ? 'billed' : 'client');
    else if (/\binstead of\s*$/i.test(before)) roles.push('client');
    else if (c || b) roles.push(!b || (c && c.index > b.index) ? 'client' : 'billed');
    else if (
      /^\s*,?\s*(was|were|is|when|as|that|which)?\s*((the|what|you|we|they|in|your)\s+)*(agreed|quoted?|estimated?|promised|expected|proposal)/i.test(
        after,
      )
    )
      roles.push('client');
    else if (
      /^\s*,?\s*(was|were|is|when|as|that|which)?\s*((the|what|you|we|they)\s+)*(billed|invoiced|charged)/i.test(after)
    )
      roles.push('billed');
    else roles.push(undefined);
  }
  return roles;
}

/**
 * The first figure of the client's and figure of the invoice's that the reply sets against each other, of the same
 * kind (money, rate or quantity; a bare number takes its partner's kind). When a cue is missing, the figure that is
 * on an invoice line is the billed one.
 */
function figurePair(
  figures: readonly Figure[],
  roles: readonly Role[],
  infos: readonly LineInfo[],
  described: ReadonlySet<string>,
): { client: Figure; billed: Figure; line?: InvoiceLine } | undefined {
  // The line a figure is on; for a quantity or rate, among the lines the reply names by description if it names any.
  const onLine = (f: Figure) => {
    const fits = infos.filter((info) => figureFits(f, info, infos));
    const named = fits.filter(({ line }) => described.has(line.id));
    return (named[0] ?? (f.kind === 'money' || described.size === 0 ? fits[0] : undefined))?.line;
  };
  const tagged = figures.map((f, i) => ({ f, role: roles[i] }));
  const kindOf = (f: Figure) => (f.kind === 'rate' || f.kind === 'money' ? 'money' : f.kind);
  const compatible = (a: Figure, b: Figure) => kindOf(a) === kindOf(b) || a.kind === 'bare' || b.kind === 'bare';
  /** A figure read as its partner's kind: a bare number as a quantity or amount, an amount beside a rate as a rate. */
  const adopt = (f: Figure, like: Figure): Figure => {
    if (f.kind === 'money' && like.kind === 'rate') return { ...f, kind: 'rate', unit: like.unit! };
    if (f.kind !== 'bare') return f;
    if (like.kind === 'quantity')
      return { ...f, kind: 'quantity', unit: like.unit!, text: `${f.text} ${like.text.split(' ').slice(1).join(' ')}` };
    const m = like.money ? toMoney(f.value, like.money.currency) : undefined;
    return m ? { ...f, kind: like.kind, money: m, ...(like.unit ? { unit: like.unit } : {}) } : f;
  };
  // Figures with units or currency pair first; a bare number ("billed 14") only when none of those pair.
  for (const withBare of [false, true])
    for (let i = 0; i < tagged.length; i++) {
      for (let j = i + 1; j < tagged.length; j++) {
        const [a, b] = [tagged[i]!, tagged[j]!];
        if (!compatible(a.f, b.f) || (a.f.kind === 'bare' && b.f.kind === 'bare')) continue;
        if (!withBare && (a.f.kind === 'bare' || b.f.kind === 'bare')) continue;
        // A bare number becomes an amount only when a cue gives it a role ("you billed 1,500").
        if (
          (a.f.kind === 'bare' && !a.role && b.f.kind !== 'quantity') ||
          (b.f.kind === 'bare' && !b.role && a.f.kind !== 'quantity')
        )
          continue;
        if (b.f.start - a.f.end > 160) continue; // figures pair only when they are close
        const [fa, fb] = [adopt(a.f, b.f), adopt(b.f, a.f)];
        let pair: [client: Figure, billed: Figure] | undefined;
        if (a.role && b.role && a.role !== b.role) pair = a.role === 'client' ? [fa, fb] : [fb, fa];
        else if (!a.role || !b.role) {
          // One figure (or neither) has a cue: the one that is on an invoice line is the billed one.
          const [la, lb] = [onLine(fa), onLine(fb)];
          if (la && !lb && a.role !== 'client' && b.role !== 'billed') pair = [fb, fa];
          else if (lb && !la && b.role !== 'client' && a.role !== 'billed') pair = [fa, fb];
        }
        if (!pair) continue;
        const [client, billed] = pair;
        if (client.kind === 'bare' || billed.kind === 'bare' || sameValue(client.value, billed.value)) continue;
        const line = onLine(billed);
        return { client, billed, ...(line ? { line } : {}) };
      }
    }
  // "We only got 25 edited photos": the client's quantity of a line the reply names, against the line's own.
  for (const { f, role } of tagged) {
    if (role !== 'client' || f.kind !== 'quantity') continue;
    // Only a counted line (quantity above one) that the client says came short: "5 pages" on a one-off line is scope.
    const lines = infos.filter(
      ({ line, tokens }) =>
        described.has(line.id) &&
        new Dec(line.quantity).gt(1) &&
        new Dec(f.value).lt(line.quantity) &&
        (genericCounts.has(f.unit ?? '') || tokens.some((t) => t.stem === f.unit)),
    );
    if (lines.length !== 1) continue;
    const line = lines[0]!.line;
    return {
      client: f,
      billed: {
        kind: 'quantity',
        value: line.quantity,
        unit: f.unit!,
        start: f.start,
        end: f.end,
        text: `${line.quantity} on the invoice`,
      },
      line,
    };
  }
  return undefined;
}
