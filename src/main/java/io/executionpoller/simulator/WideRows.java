package io.executionpoller.simulator;

import java.time.LocalDate;

/**
 * An AMC-like result row of ten columns, about 100 to 120 bytes: the row number, a 12-digit
 * campaign id, a 15-digit ad group id, a yyyy-MM-dd date, a quoted campaign name with a comma (one
 * in five also with escaped quotes), three counts of varying width, a two-decimal cost and a
 * marketplace. Every value derives from the row number alone, so two downloads are byte-identical.
 * Lines end in LF, unlike the demo's CRLF, so a parser meets both.
 */
final class WideRows implements RowFormat {

  private static final byte[] HEADER =
      RowFormat.ascii(
          "row_number,campaign_id,ad_group_id,event_date,campaign,impressions,clicks,purchases,"
              + "total_cost,marketplace\n");
  private static final byte[] NAME_START = RowFormat.ascii("\"Campaign ");
  private static final byte[][] SEGMENTS = {
    RowFormat.ascii(", Brand\""),
    RowFormat.ascii(", Retarget\""),
    RowFormat.ascii(", Prospect\""),
    RowFormat.ascii(", Video\""),
    RowFormat.ascii(", Deals \"\"Q4\"\"\"")
  };
  private static final byte[] MARKETPLACE = RowFormat.ascii("ATVPDKIKX0DER\n");
  private static final byte[][] DATES = dates(LocalDate.of(2026, 1, 1), 365);
  private static final int CAMPAIGN_ID_DIGITS = 12;
  private static final int AD_GROUP_ID_DIGITS = 15;
  private static final int DATE_LENGTH = 10;

  @Override
  public byte[] header() {
    return HEADER.clone();
  }

  @Override
  public int write(long row, byte[] out, int at) {
    long hash = mix(row);
    long impressions = impressions(hash);
    at = RowFormat.putLong(out, at, row);
    out[at++] = ',';
    at = RowFormat.putLong(out, at, 100_000_000_000L + Math.floorMod(hash, 900_000_000_000L));
    out[at++] = ',';
    at =
        RowFormat.putLong(
            out, at, 100_000_000_000_000L + Math.floorMod(mix(hash), 900_000_000_000_000L));
    out[at++] = ',';
    at = RowFormat.put(out, at, DATES[(int) (row % DATES.length)]);
    out[at++] = ',';
    at = RowFormat.put(out, at, NAME_START);
    at = RowFormat.putLong(out, at, row);
    at = RowFormat.put(out, at, SEGMENTS[(int) (row % SEGMENTS.length)]);
    out[at++] = ',';
    at = RowFormat.putLong(out, at, impressions);
    out[at++] = ',';
    at = RowFormat.putLong(out, at, clicks(impressions));
    out[at++] = ',';
    at = RowFormat.putLong(out, at, purchases(impressions));
    out[at++] = ',';
    long cents = cents(hash, impressions);
    at = RowFormat.putLong(out, at, cents / 100);
    out[at++] = '.';
    out[at++] = (byte) ('0' + cents / 10 % 10);
    out[at++] = (byte) ('0' + cents % 10);
    out[at++] = ',';
    return RowFormat.put(out, at, MARKETPLACE);
  }

  @Override
  public int length(long row) {
    long hash = mix(row);
    long impressions = impressions(hash);
    return RowFormat.digits(row)
        + CAMPAIGN_ID_DIGITS
        + AD_GROUP_ID_DIGITS
        + DATE_LENGTH
        + NAME_START.length
        + RowFormat.digits(row)
        + SEGMENTS[(int) (row % SEGMENTS.length)].length
        + RowFormat.digits(impressions)
        + RowFormat.digits(clicks(impressions))
        + RowFormat.digits(purchases(impressions))
        + RowFormat.digits(cents(hash, impressions) / 100)
        + 3
        + MARKETPLACE.length
        + 9;
  }

  private static long impressions(long hash) {
    return 1_000 + Math.floorMod(hash >>> 20, 9_000_000L);
  }

  private static long clicks(long impressions) {
    return impressions / 97;
  }

  private static long purchases(long impressions) {
    return impressions / 97 / 13;
  }

  private static long cents(long hash, long impressions) {
    return impressions * 3 + (hash >>> 57);
  }

  /** SplitMix64's finalizer: well-spread values from consecutive row numbers, no state. */
  private static long mix(long value) {
    long z = value + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static byte[][] dates(LocalDate first, int days) {
    byte[][] dates = new byte[days][];
    for (int day = 0; day < days; day++) {
      dates[day] = RowFormat.ascii(first.plusDays(day).toString());
    }
    return dates;
  }
}
