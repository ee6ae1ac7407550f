package dev.tracehop.gcp.idtoken;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the {@code exp} claim of a compact JWT, without verifying it (the receiver does). */
final class JwtClaims {
  private JwtClaims() {}

  /** {@code exp} in epoch milliseconds, or null when the token is not a JWT with a numeric exp. */
  static Long expiryMillis(String token) {
    if (token == null) return null;
    String[] parts = token.trim().split("\\.", -1);
    if (parts.length != 3) return null;
    try {
      byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
      JsonElement claims = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8));
      if (!claims.isJsonObject()) return null;
      JsonElement exp = ((JsonObject) claims).get("exp");
      if (exp == null || !exp.isJsonPrimitive() || !exp.getAsJsonPrimitive().isNumber()) return null;
      double seconds = exp.getAsDouble();
      if (!(seconds > 0) || seconds > 1e11) return null; // negative, NaN, or not in seconds
      return (long) (seconds * 1000);
    } catch (RuntimeException e) { // bad base64, bad JSON
      return null;
    }
  }
}
