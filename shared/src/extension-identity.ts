/**
 * The extension's public key (manifest `key`) fixes its ID on every machine, so host manifests,
 * the host's origin check and enterprise policies can all name it. The private half is not needed
 * for unpacked installs; a Web Store or self-hosted CRX build signs with its own key and ID.
 */
export const EXTENSION_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqsV7sEplQ0pT3Bpo5253/ASLRkfhtKUOetL6ZGxPpi9q8QWeTyRz5cHHPwrscqh2AN1U8p5faXz+7iK4Suclz+EJILygJPAaZaXGbTPSCWlYowSTq6D8OStgOC6xCBvztUhk3QlVbx3GhwBf87gT0XOYb793BogSXplgIG/7LMzOgecy9pB9kUqsDdxkCeQSUCPjMD60EPmUVB53zcvtJZ0LO2+wwT/ZdvfPAYSji60niDdteE29h2ruhG9PruHtPQ7sZ1ngHuPcYgJUPQHbSfcnZgPJGUTCh78+KZvxeFHxY3HFDbpfGkEQhsFbEQHnvsRXrrL4eGxq2CnjoXKlxQIDAQAB";

/** sha256 of the DER public key, first 32 hex digits mapped 0-f → a-p (Chrome's rule). */
export const EXTENSION_ID = "dhfeooidhioanjlgbjidjenhcdannohi";

export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}/`;
