package dev.hitflow.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Realistic synthetic traffic as JSON Lines, deterministic for a seed: visitors with several
 * sessions on several sites, page paths, events and carts, consent modes (some opt-outs), cookie,
 * mobile, identified and cookieless visitors, a few seconds of disorder, and a small share of
 * invalid records of every kind. Addresses and user agents per {@link Spread}.
 */
public final class TrafficGenerator {
    /** Where visitors' addresses and user agents come from. */
    public enum Spread {
        /**
         * A few addresses that MaxMind's City test database knows and six user agents: every hit
         * geolocates on the test database (tests, the local demo).
         */
        TEST_DATABASE,
        /**
         * One random public address per visitor (80% IPv4, 20% IPv6) and user agents drawn, popular
         * ones more often, from about two thousand of browsers, systems and versions, with 3%
         * robots: what caches see in real traffic, for benchmarks on a full-size City database.
         */
        REALISTIC
    }

    /**
     * Changes whenever the same seed and count give other lines, so that inputs cached under a name
     * made of them are generated again. 2: sessions arrive by their own clock (three days of
     * traffic, not 84).
     */
    public static final int VERSION = 2;

    /** Distinct user agents of {@link Spread#REALISTIC}. */
    static final int REALISTIC_AGENTS = 2_000;

    /**
     * The agents of {@link Spread#REALISTIC} are the same for every seed: a seed stands for other
     * visitors, not for another population of browsers. So a benchmark's warm-up on another seed
     * leaves the user-agent cache as a long-running job has it (popular agents known), while the
     * timed visitors' addresses are still new to the GeoIP cache.
     */
    static final long AGENT_POPULATION_SEED = 0x5eed;

    /** The kinds of invalid record generated, each with its own small share. */
    public enum Invalid {
        MALFORMED_JSON,
        MISSING_FIELD,
        UNKNOWN_SITE,
        BAD_TIMESTAMP,
        BAD_IP,
        TOO_LARGE
    }

    /** Addresses that MaxMind's City test database knows, IPv4 and IPv6. */
    static final List<String> IPS =
            List.of(
                    "81.2.69.142",
                    "81.2.69.160",
                    "2.125.160.216",
                    "89.160.20.112",
                    "89.160.20.128",
                    "175.16.199.7",
                    "175.16.199.44",
                    "216.160.83.56",
                    "214.78.120.5",
                    "67.43.156.1",
                    "202.196.224.1",
                    "2001:480:10::1",
                    "2a02:cfc0::1",
                    "2a02:d180::2");

    static final List<String> USER_AGENTS =
            List.of(
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                            + " Chrome/124.0.0.0 Safari/537.36",
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like"
                            + " Gecko) Version/17.4 Safari/605.1.15",
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
                            + " like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                            + " Chrome/124.0.0.0 Mobile Safari/537.36",
                    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

    static final List<String> PAGES =
            List.of(
                    "/",
                    "/products",
                    "/products/shoes",
                    "/products/shirts",
                    "/products/hats",
                    "/search",
                    "/cart",
                    "/checkout",
                    "/blog",
                    "/blog/spring-collection",
                    "/about",
                    "/contact");

    static final List<String> REFERRERS =
            List.of(
                    "https://www.google.com/search?q=shoes",
                    "https://www.bing.com/search?q=hats",
                    "https://t.co/abc",
                    "https://www.facebook.com/",
                    "https://news.example.org/article/42");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long the generated traffic lasts (sessions started near its end run a little past). */
    static final long SPAN_MS = Duration.ofDays(3).toMillis();

    /** Hits of a generated session on average: 1 + the whole part of min(40, Exp(mean 7)). */
    private static final double MEAN_HITS_PER_SESSION = 7.5;

    private static final long MAX_DISORDER_MS = 10_000;

    private final SplittableRandom random;
    private final List<String> sites;
    private final List<String> unknownSites = List.of("site-unknown-1", "site-unknown-2");
    private final long startMillis;
    private final long seed;
    private final Map<Invalid, Long> invalidCounts = new EnumMap<>(Invalid.class);
    private final Spread spread;
    private final List<String> agents;

    public TrafficGenerator(long seed, List<String> sites, long startMillis) {
        this(seed, sites, startMillis, Spread.TEST_DATABASE);
    }

    public TrafficGenerator(long seed, List<String> sites, long startMillis, Spread spread) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.sites = List.copyOf(sites);
        this.startMillis = startMillis;
        this.spread = spread;
        this.agents =
                spread == Spread.REALISTIC
                        ? realisticAgents(new SplittableRandom(AGENT_POPULATION_SEED))
                        : USER_AGENTS;
    }

    private record Visitor(
            int index,
            String site,
            String cookieId,
            String mobileId,
            String userId,
            String consent,
            String ip,
            String userAgent) {}

    private static final class OpenSession {
        final Visitor visitor;
        long nextAt;
        int hitsLeft;
        int page;
        final String referrer;
        final String campaign;

        OpenSession(
                Visitor visitor,
                long nextAt,
                int hitsLeft,
                int page,
                String referrer,
                String campaign) {
            this.visitor = visitor;
            this.nextAt = nextAt;
            this.hitsLeft = hitsLeft;
            this.page = page;
            this.referrer = referrer;
            this.campaign = campaign;
        }
    }

    private record Pending(long sortKey, long seq, String line) {}

    /** Writes {@code count} lines; returns how many of them are invalid, by kind. */
    public Map<Invalid, Long> write(long count, Writer out) throws IOException {
        int visitorCount = (int) Math.max(20, count / 20);
        List<Visitor> visitors = new ArrayList<>(visitorCount);
        for (int i = 0; i < visitorCount; i++) {
            visitors.add(visitor(i));
        }
        // Sessions start by their own clock (Poisson arrivals, so many that count hits fill
        // SPAN_MS), not when others end: a session waiting out a long gap (a new visit) does not
        // hold back the start of others, nor does the clock jump to it when it comes back.
        double meanArrivalMs = SPAN_MS * MEAN_HITS_PER_SESSION / Math.max(1, count);
        long nextArrival = startMillis;
        PriorityQueue<OpenSession> open =
                new PriorityQueue<>((a, b) -> Long.compare(a.nextAt, b.nextAt));
        PriorityQueue<Pending> disorder =
                new PriorityQueue<>(
                        (a, b) ->
                                a.sortKey != b.sortKey
                                        ? Long.compare(a.sortKey, b.sortKey)
                                        : Long.compare(a.seq, b.seq));
        long seq = 0;
        for (long n = 0; n < count; n++) {
            while (open.isEmpty() || nextArrival <= open.peek().nextAt) {
                open.add(newSession(visitors.get(random.nextInt(visitors.size())), nextArrival));
                nextArrival += 1 + (long) (-Math.log(1 - random.nextDouble()) * meanArrivalMs);
            }
            String line;
            long at;
            Invalid invalid = pickInvalid();
            if (invalid != null) {
                at = open.peek().nextAt;
                line = invalidLine(invalid, n, at);
                invalidCounts.merge(invalid, 1L, Long::sum);
            } else {
                OpenSession session = open.poll();
                at = session.nextAt;
                line = hitLine(session, n, at);
                session.hitsLeft--;
                if (session.hitsLeft > 0) {
                    session.nextAt = at + gap();
                    session.page = nextPage(session.page);
                    open.add(session);
                }
            }
            disorder.add(new Pending(at + random.nextLong(MAX_DISORDER_MS), seq++, line));
            while (!disorder.isEmpty() && disorder.peek().sortKey <= at) {
                out.write(disorder.poll().line);
                out.write('\n');
            }
        }
        while (!disorder.isEmpty()) {
            out.write(disorder.poll().line);
            out.write('\n');
        }
        return Map.copyOf(invalidCounts);
    }

    private Visitor visitor(int i) {
        String site = sites.get(random.nextInt(sites.size()));
        int kind = random.nextInt(100);
        String cookie = null;
        String mobile = null;
        String user = null;
        if (kind < 65) {
            cookie = "ck-" + seed + "-" + i + "-" + Long.toHexString(random.nextLong());
        } else if (kind < 78) {
            mobile = "mob-" + seed + "-" + i + "-" + Long.toHexString(random.nextLong());
        } else if (kind < 90) {
            cookie = "ck-" + seed + "-" + i + "-" + Long.toHexString(random.nextLong());
            user = "user-" + seed + "-" + i + "@login.example";
        } // else cookieless
        int c = random.nextInt(100);
        String consent =
                c < 55
                        ? "OPT_IN"
                        : c < 75 ? "EXEMPT" : c < 83 ? "OPT_OUT" : c < 90 ? "NO_CONSENT" : null;
        if (spread == Spread.REALISTIC) {
            // popular agents more often: the square of a uniform draw leans to the list's start
            double u = random.nextDouble();
            String agent =
                    random.nextInt(100) < 3
                            ? ROBOTS.get(random.nextInt(ROBOTS.size()))
                            : agents.get((int) (u * u * agents.size()));
            return new Visitor(i, site, cookie, mobile, user, consent, publicAddress(), agent);
        }
        return new Visitor(
                i,
                site,
                cookie,
                mobile,
                user,
                consent,
                IPS.get(random.nextInt(IPS.size())),
                USER_AGENTS.get(
                        random.nextInt(100) < 3
                                ? USER_AGENTS.size() - 1
                                : random.nextInt(USER_AGENTS.size() - 1)));
    }

    static final List<String> ROBOTS =
            List.of(
                    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
                    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
                    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)");

    private static final List<String> ANDROID_DEVICES =
            List.of(
                    "Pixel 8",
                    "Pixel 7a",
                    "SM-S918B",
                    "SM-A546B",
                    "SM-G991B",
                    "M2101K6G",
                    "CPH2449",
                    "moto g84 5G",
                    "23049PCD8G",
                    "SM-X200");

    /** About two thousand distinct agents: browsers, systems and versions, most popular first. */
    static List<String> realisticAgents(SplittableRandom r) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        while (out.size() < REALISTIC_AGENTS) {
            int chrome = 100 + r.nextInt(32);
            String build = chrome + ".0." + (5000 + r.nextInt(1500)) + "." + r.nextInt(200);
            int kind = r.nextInt(100);
            String agent;
            if (kind < 35) {
                agent =
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
                                + " Gecko) Chrome/"
                                + build
                                + " Safari/537.36";
            } else if (kind < 60) {
                agent =
                        "Mozilla/5.0 (Linux; Android "
                                + (10 + r.nextInt(5))
                                + "; "
                                + ANDROID_DEVICES.get(r.nextInt(ANDROID_DEVICES.size()))
                                + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
                                + build
                                + " Mobile Safari/537.36";
            } else if (kind < 78) {
                int ios = 15 + r.nextInt(4);
                int minor = r.nextInt(7);
                agent =
                        "Mozilla/5.0 (iPhone; CPU iPhone OS "
                                + ios
                                + "_"
                                + minor
                                + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                                + " Version/"
                                + ios
                                + "."
                                + minor
                                + " Mobile/15E148 Safari/604.1";
            } else if (kind < 86) {
                int safari = 15 + r.nextInt(4);
                agent =
                        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_"
                                + r.nextInt(8)
                                + ") AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                + safari
                                + "."
                                + r.nextInt(6)
                                + " Safari/605.1.15";
            } else if (kind < 94) {
                int firefox = 100 + r.nextInt(30);
                agent =
                        (r.nextBoolean()
                                        ? "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:"
                                        : "Mozilla/5.0 (X11; Linux x86_64; rv:")
                                + firefox
                                + ".0) Gecko/20100101 Firefox/"
                                + firefox
                                + ".0";
            } else {
                agent =
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
                                + " Gecko) Chrome/"
                                + build
                                + " Safari/537.36 Edg/"
                                + chrome
                                + ".0."
                                + r.nextInt(3000)
                                + "."
                                + r.nextInt(100);
            }
            out.add(agent);
        }
        return List.copyOf(out);
    }

    /** A random public address: IPv4 outside private and reserved ranges, or global IPv6. */
    private String publicAddress() {
        if (random.nextInt(100) < 80) {
            while (true) {
                int a = 1 + random.nextInt(223);
                int b = random.nextInt(256);
                boolean reserved =
                        a == 10
                                || a == 127
                                || (a == 100 && b >= 64 && b < 128)
                                || (a == 169 && b == 254)
                                || (a == 172 && b >= 16 && b < 32)
                                || (a == 192 && b == 168)
                                || (a == 198 && (b == 18 || b == 19));
                if (!reserved) {
                    return a
                            + "."
                            + b
                            + "."
                            + random.nextInt(256)
                            + "."
                            + (1 + random.nextInt(254));
                }
            }
        }
        int[] regional = {0x2001, 0x2400, 0x2600, 0x2800, 0x2a00, 0x2c0f};
        int first = regional[random.nextInt(regional.length)];
        int second =
                first == 0x2001 || first == 0x2c0f
                        ? 0x0200 + random.nextInt(0x0e00)
                        : random.nextInt(0x1000);
        return String.format(
                java.util.Locale.ROOT,
                "%x:%x:%x:%x::%x",
                first,
                second,
                random.nextInt(0x10000),
                random.nextInt(0x10000),
                1 + random.nextInt(0xffff));
    }

    private OpenSession newSession(Visitor v, long at) {
        int hits = 1 + (int) Math.min(40, -Math.log(1 - random.nextDouble()) * 7);
        int r = random.nextInt(100);
        String referrer = r < 40 ? null : REFERRERS.get(random.nextInt(REFERRERS.size()));
        String campaign = r >= 85 ? "spring-sale" : null;
        return new OpenSession(v, at, hits, random.nextInt(3), referrer, campaign);
    }

    private long gap() {
        int r = random.nextInt(100);
        if (r < 3) {
            return Duration.ofMinutes(31 + random.nextInt(120)).toMillis(); // a new visit
        }
        return 1000 + (long) (-Math.log(1 - random.nextDouble()) * 45_000);
    }

    private int nextPage(int page) {
        return random.nextInt(100) < 70 ? random.nextInt(PAGES.size()) : page;
    }

    private Invalid pickInvalid() {
        int r = random.nextInt(10_000);
        if (r < 10) {
            return Invalid.MALFORMED_JSON;
        } else if (r < 18) {
            return Invalid.MISSING_FIELD;
        } else if (r < 30) {
            return Invalid.UNKNOWN_SITE;
        } else if (r < 36) {
            return Invalid.BAD_TIMESTAMP;
        } else if (r < 44) {
            return Invalid.BAD_IP;
        } else if (r < 45 && random.nextInt(20) == 0) {
            return Invalid.TOO_LARGE;
        }
        return null;
    }

    private String hitLine(OpenSession s, long n, long at) {
        Visitor v = s.visitor;
        ObjectNode hit = JSON.createObjectNode();
        hit.put("hit_id", "h-" + seed + "-" + n);
        hit.put("received_at", at);
        hit.put("client_ts", at - random.nextInt(2000));
        hit.put("site_id", v.site);
        int t = random.nextInt(100);
        String type = t < 72 ? "PAGE_VIEW" : t < 84 ? "EVENT" : t < 92 ? "CART" : "HEARTBEAT";
        hit.put("hit_type", type);
        hit.put("ip", v.ip);
        hit.put("user_agent", v.userAgent);
        if (v.cookieId != null) {
            hit.put("cookie_id", v.cookieId);
        }
        if (v.mobileId != null) {
            hit.put("mobile_id", v.mobileId);
        }
        if (v.userId != null) {
            hit.put("user_id", v.userId);
        }
        if (v.consent != null) {
            hit.put("consent", v.consent);
        }
        String page = PAGES.get(s.page);
        String query =
                page.equals("/search")
                        ? "?q=blue+shoes&email=visitor" + v.index + "%40mail.example"
                        : s.campaign != null
                                ? "?utm_source=newsletter&utm_medium=email&utm_campaign="
                                        + s.campaign
                                : "";
        hit.put("url", "https://" + v.site + ".example.com" + page + query);
        if (s.referrer != null) {
            hit.put("referrer", s.referrer);
        }
        if (type.equals("EVENT")) {
            ObjectNode event = hit.putObject("event");
            event.put("category", "video");
            event.put("action", random.nextBoolean() ? "play" : "pause");
            event.put("value", random.nextInt(300));
        } else if (type.equals("CART")) {
            ObjectNode cart = hit.putObject("cart");
            int a = random.nextInt(100);
            cart.put(
                    "action",
                    a < 60 ? "ADD" : a < 70 ? "REMOVE" : a < 80 ? "CHECKOUT" : "PURCHASE");
            cart.put("product_id", "sku-" + random.nextInt(50));
            cart.put("quantity", 1 + random.nextInt(3));
            cart.put("price_minor", 500 + random.nextInt(20_000));
            cart.put("currency", random.nextInt(100) < 80 ? "EUR" : "USD");
        }
        if (v.mobileId != null && random.nextInt(100) < 30) {
            ObjectNode gps = hit.putObject("gps");
            gps.put("lat", 48.8 + random.nextDouble() / 10);
            gps.put("lon", 2.3 + random.nextDouble() / 10);
        }
        if (random.nextInt(100) < 10) {
            ObjectNode props = hit.putObject("properties");
            props.put("plan", random.nextBoolean() ? "free" : "pro");
            props.put("debug_token", Long.toHexString(random.nextLong()));
        }
        return hit.toString();
    }

    private String invalidLine(Invalid kind, long n, long at) {
        String id = "h-" + seed + "-" + n;
        String site = sites.get(random.nextInt(sites.size()));
        return switch (kind) {
            case MALFORMED_JSON ->
                    "{\"hit_id\": \"" + id + "\", \"received_at\": " + at + ", \"site_id";
            case MISSING_FIELD ->
                    "{\"hit_id\":\""
                            + id
                            + "\",\"received_at\":"
                            + at
                            + ",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\"}";
            case UNKNOWN_SITE ->
                    "{\"hit_id\":\""
                            + id
                            + "\",\"received_at\":"
                            + at
                            + ",\"site_id\":\""
                            + unknownSites.get(random.nextInt(unknownSites.size()))
                            + "\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\"}";
            case BAD_TIMESTAMP ->
                    "{\"hit_id\":\""
                            + id
                            + "\",\"received_at\":-5,\"site_id\":\""
                            + site
                            + "\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\"}";
            case BAD_IP ->
                    "{\"hit_id\":\""
                            + id
                            + "\",\"received_at\":"
                            + at
                            + ",\"site_id\":\""
                            + site
                            + "\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"999.12.1.1\"}";
            case TOO_LARGE ->
                    "{\"hit_id\":\""
                            + id
                            + "\",\"received_at\":"
                            + at
                            + ",\"site_id\":\""
                            + site
                            + "\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\",\"properties\":{\"blob\":\""
                            + "x".repeat(70_000)
                            + "\"}}";
        };
    }
}
