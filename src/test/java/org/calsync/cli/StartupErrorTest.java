package org.calsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calsync.support.Cli;
import org.junit.jupiter.api.Test;

/** A malformed db.url stops the start with an error that names the key and never shows the password in it. */
class StartupErrorTest {

  @Test
  void aMalformedDbUrlIsReportedWithoutItsPassword() throws Exception {
    for (String url : new String[] {"postgresql://calsync:S3cr3tPw@db.example:notaport/calsync",
        "postgresql://calsync:S3cr3tPw@db.example:5432/calsync?port=abc",
        "postgresql://calsync@db.example:5432/calsync?password=S3cr3tPw&port=abc",
        "postgres://calsync:S3c@r3tPw@[::1/calsync"}) {
      Path config = Files.createTempFile("calsync-bad-url", ".json");
      Files.writeString(config, new JsonObject().put("db", new JsonObject().put("url", url)).encode());
      Cli.Run run = Cli.run(null, "status", "-c", config.toString());
      assertThat(run.exit()).as(url).isNotZero();
      assertThat(run.out()).as(url).contains("db.url").contains("cannot be parsed").doesNotContain("S3cr3tPw").doesNotContain("r3tPw");
      Files.delete(config);
    }
  }
}
