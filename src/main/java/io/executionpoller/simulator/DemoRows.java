package io.executionpoller.simulator;

/**
 * The demo result: {@code campaign_id,campaign_name,impressions,clicks} with CRLF line ends and a
 * quoted name holding a comma, so a naive split on commas miscounts the columns.
 */
final class DemoRows implements RowFormat {

  private static final byte[] HEADER =
      RowFormat.ascii("campaign_id,campaign_name,impressions,clicks\r\n");
  private static final byte[] NAME_START = RowFormat.ascii(",\"Campaign ");
  private static final byte[] NAME_END = RowFormat.ascii(", demo\",");

  @Override
  public byte[] header() {
    return HEADER.clone();
  }

  @Override
  public int write(long row, byte[] out, int at) {
    at = RowFormat.putLong(out, at, row);
    at = RowFormat.put(out, at, NAME_START);
    at = RowFormat.putLong(out, at, row);
    at = RowFormat.put(out, at, NAME_END);
    at = RowFormat.putLong(out, at, row * 1000);
    out[at++] = ',';
    at = RowFormat.putLong(out, at, row * 7);
    out[at++] = '\r';
    out[at++] = '\n';
    return at;
  }

  @Override
  public int length(long row) {
    return 2 * RowFormat.digits(row)
        + NAME_START.length
        + NAME_END.length
        + RowFormat.digits(row * 1000)
        + 1
        + RowFormat.digits(row * 7)
        + 2;
  }
}
