#include "kk_nmea.h"

#define MS_PER_DAY 86400000u
#define LAT_LIMIT_E7 900000000u
#define LON_LIMIT_E7 1800000000u
#define MAX_ALT_DM 999999 /* 99 999.9 m keeps the field within 8 characters */
#define MAX_HDOP_D 999u
#define MAX_SATELLITES 99u
#define MAX_SPEED_CMS 100000u /* 1 km/s: beyond any vehicle, and no overflow below */

/* Appends into a fixed buffer; once full it stays full and the sentence is
 * refused, so a short buffer can never yield a truncated sentence. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool full;
} writer_t;

static void put(writer_t *w, char c)
{
    if (w->len >= w->cap) {
        w->full = true;
        return;
    }
    w->buf[w->len] = c;
    w->len++;
}

static void put_text(writer_t *w, const char *text)
{
    while (*text != '\0') {
        put(w, *text);
        text++;
    }
}

/* `value` in decimal, at least `digits` digits (zero-padded). */
static void put_uint(writer_t *w, uint32_t value, unsigned digits)
{
    char reversed[10];
    unsigned n = 0u;

    do {
        reversed[n] = (char)('0' + (char)(value % 10u));
        value /= 10u;
        n++;
    } while (value != 0u && n < sizeof reversed);
    while (n < digits && n < sizeof reversed) {
        reversed[n] = '0';
        n++;
    }
    while (n > 0u) {
        n--;
        put(w, reversed[n]);
    }
}

/* `scaled` / 10^decimals with exactly `decimals` decimals. */
static void put_fixed(writer_t *w, uint32_t scaled, unsigned int_digits, unsigned decimals)
{
    uint32_t divisor = 1u;
    unsigned i;

    for (i = 0u; i < decimals; i++) {
        divisor *= 10u;
    }
    put_uint(w, scaled / divisor, int_digits);
    if (decimals > 0u) {
        put(w, '.');
        put_uint(w, scaled % divisor, decimals);
    }
}

/* |value| without negating INT32_MIN, which would be undefined. */
static uint32_t magnitude(int32_t value)
{
    return value < 0 ? 0u - (uint32_t)value : (uint32_t)value;
}

/* ddmm.mmmmm (latitude, 2 degree digits) or dddmm.mmmmm (longitude, 3),
 * then the hemisphere. Five decimals of minutes resolve 2 cm. */
static void put_angle(writer_t *w, int32_t angle_e7, unsigned degree_digits, char positive,
                      char negative)
{
    uint32_t abs_e7 = magnitude(angle_e7);
    uint32_t degrees = abs_e7 / 10000000u;
    /* Minutes x 10^5 = remainder (10^-7 degrees) x 60 / 100; below 6 * 10^8. */
    uint32_t minutes_e5 = (abs_e7 % 10000000u) * 60u / 100u;

    put_uint(w, degrees, degree_digits);
    put_fixed(w, minutes_e5, 2u, 5u);
    put(w, ',');
    put(w, angle_e7 < 0 ? negative : positive);
}

static void put_time(writer_t *w, const kk_gnss_fix_t *fix)
{
    uint32_t ms = fix->time_ms;

    if (!fix->time_valid || ms >= MS_PER_DAY) {
        return;
    }
    put_uint(w, ms / 3600000u, 2u);
    put_uint(w, ms / 60000u % 60u, 2u);
    put_fixed(w, ms % 60000u / 10u, 2u, 2u);
}

static bool date_ok(const kk_gnss_fix_t *fix)
{
    return fix->date_valid && fix->year >= 2000u && fix->year <= 2099u && fix->month >= 1u &&
           fix->month <= 12u && fix->day >= 1u && fix->day <= 31u;
}

static void put_position(writer_t *w, const kk_gnss_fix_t *fix, bool valid)
{
    if (valid) {
        put_angle(w, fix->lat_e7, 2u, 'N', 'S');
        put(w, ',');
        put_angle(w, fix->lon_e7, 3u, 'E', 'W');
    } else {
        put_text(w, ",,,");
    }
}

static const char hex_digits[] = "0123456789ABCDEF";

/* Closes the sentence begun at buf[0] = '$': checksum and CR LF. */
static size_t finish(writer_t *w)
{
    uint8_t sum = 0u;
    size_t i;

    for (i = 1u; i < w->len; i++) {
        sum = (uint8_t)(sum ^ (uint8_t)w->buf[i]);
    }
    put(w, '*');
    put(w, hex_digits[sum >> 4]);
    put(w, hex_digits[sum & 0x0Fu]);
    put_text(w, "\r\n");
    if (w->full || w->len > KK_NMEA_MAX_SENTENCE) {
        return 0u;
    }
    return w->len;
}

bool kk_gnss_has_position(const kk_gnss_fix_t *fix)
{
    return fix->quality >= 1u && fix->quality <= 8u && magnitude(fix->lat_e7) <= LAT_LIMIT_E7 &&
           magnitude(fix->lon_e7) <= LON_LIMIT_E7;
}

size_t kk_nmea_gga(const kk_gnss_fix_t *fix, char *out, size_t cap)
{
    writer_t w = {out, cap, 0u, false};
    bool valid = kk_gnss_has_position(fix);
    uint32_t hdop = fix->hdop_d > MAX_HDOP_D ? MAX_HDOP_D : fix->hdop_d;
    uint32_t satellites = fix->satellites > MAX_SATELLITES ? MAX_SATELLITES : fix->satellites;

    put_text(&w, "$GPGGA,");
    put_time(&w, fix);
    put(&w, ',');
    put_position(&w, fix, valid);
    put(&w, ',');
    put_uint(&w, valid ? fix->quality : 0u, 1u);
    put(&w, ',');
    put_uint(&w, satellites, 2u);
    put(&w, ',');
    put_fixed(&w, hdop, 1u, 1u);
    put(&w, ',');
    if (valid) {
        int32_t alt = fix->alt_dm;
        if (alt > MAX_ALT_DM) {
            alt = MAX_ALT_DM;
        } else if (alt < -MAX_ALT_DM) {
            alt = -MAX_ALT_DM;
        }
        if (alt < 0) {
            put(&w, '-');
        }
        put_fixed(&w, magnitude(alt), 1u, 1u);
        put_text(&w, ",M");
    } else {
        put(&w, ',');
    }
    /* Geoid separation, its unit, DGPS age and station: not known here, so
     * empty rather than a false 0. */
    put_text(&w, ",,,,");
    return finish(&w);
}

size_t kk_nmea_rmc(const kk_gnss_fix_t *fix, char *out, size_t cap)
{
    writer_t w = {out, cap, 0u, false};
    bool valid = kk_gnss_has_position(fix);
    uint32_t speed = fix->speed_cms > MAX_SPEED_CMS ? MAX_SPEED_CMS : fix->speed_cms;
    /* Knots x 1000 = cm/s x 36 000 / 1852 = cm/s x 9000 / 463, rounded; at
     * most 9 * 10^8, well inside 32 bits. */
    uint32_t knots_e3 = (speed * 9000u + 231u) / 463u;

    put_text(&w, "$GPRMC,");
    put_time(&w, fix);
    put(&w, ',');
    put(&w, valid ? 'A' : 'V');
    put(&w, ',');
    put_position(&w, fix, valid);
    put(&w, ',');
    if (valid) {
        put_fixed(&w, knots_e3, 1u, 3u);
        put(&w, ',');
        put_fixed(&w, fix->course_cdeg % 36000u, 1u, 2u);
    } else {
        put(&w, ',');
    }
    put(&w, ',');
    if (date_ok(fix)) {
        put_uint(&w, fix->day, 2u);
        put_uint(&w, fix->month, 2u);
        put_uint(&w, (uint32_t)fix->year % 100u, 2u);
    }
    /* Magnetic variation and its direction are unknown; the NMEA 2.3 mode
     * says how the fix was made: A autonomous, D differential, N none. */
    put_text(&w, ",,,");
    put(&w, !valid ? 'N' : (fix->quality == 2u ? 'D' : 'A'));
    return finish(&w);
}
