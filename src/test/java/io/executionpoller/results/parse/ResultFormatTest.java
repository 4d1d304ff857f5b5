package io.executionpoller.results.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultFormatTest {

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        // content type decides JSON
        "application/json, NULL, JSON",
        "application/json; charset=utf-8, part-0.csv, JSON",
        "APPLICATION/JSON, NULL, JSON",
        "' application/json ', NULL, JSON",
        "application/x-ndjson, NULL, JSON",
        "application/jsonl, NULL, JSON",
        "application/jsonlines, NULL, JSON",
        "application/jsonl; charset=utf-8, NULL, JSON",
        // path decides JSON
        "NULL, part-00000.json, JSON",
        "NULL, part-00000.ndjson, JSON",
        "NULL, part-00000.jsonl, JSON",
        "NULL, part-00000.JSONL, JSON",
        "NULL, part-00000.json.gz, JSON",
        "NULL, part-00000.ndjson.GZ, JSON",
        "binary/octet-stream, results/x/part-0.json, JSON",
        "NULL, https://b.s3.amazonaws.com/p/part.json?X-Amz-Signature=abc, JSON",
        "NULL, https://b.s3.amazonaws.com/p/part.jsonl.gz?X-Amz-Signature=abc#x, JSON",
        // everything else is CSV
        "NULL, NULL, CSV",
        "'', '', CSV",
        "text/csv, part-0.csv, CSV",
        "NULL, part-0.csv.gz, CSV",
        "application/octet-stream, part-0, CSV",
        "application/json-seq, NULL, CSV",
        "application/jsonx, NULL, CSV",
        "text/json-ish, NULL, CSV",
        "application/xjson, NULL, CSV",
        "NULL, https://b.s3.amazonaws.com/p/part.csv?response-content-type=x.json, CSV",
        "NULL, https://b.s3.amazonaws.com/p/part.csv#frag.json, CSV",
        "NULL, part.json.bak, CSV",
        "NULL, part.gz, CSV",
        "NULL, dir.json/part, CSV",
        "NULL, partjson, CSV",
      })
  void shouldDetectJsonOrCsvFromContentTypeAndPath(
      String contentType, String path, ResultFormat expected) {
    assertThat(ResultFormat.detect(contentType, path)).isEqualTo(expected);
  }
}
