#!/usr/bin/env python3
"""Replicates one really issued certificate into COUNT synthetic ones, for bench/renew_bench.sh.

  replicate_store.py certkeep SEED_STATE DEST_STATE COUNT PREFIX
      DEST_STATE gets SEED_STATE's accounts/ and, per name PREFIX-NNNNN.bench.test, the seed's
      only certificate as archive/NAME/1/, live/NAME -> ../archive/NAME/1 and
      state/NAME/{settings,renewal}.json, identifiers rewritten to the new name. Modes as
      certkeep's store writes them: directories 0700, privkey.pem and the records 0600, the
      other version files 0644.
  replicate_store.py certbot CONFIG_DIR COUNT PREFIX
      Replaces CONFIG_DIR's only lineage by COUNT copies named PREFIX-NNNNN.bench.test:
      archive/NAME/*1.pem, live/NAME/*.pem -> ../../archive/NAME/*1.pem, renewal/NAME.conf.

Only the names change: every copy holds the seed's certificate bytes, whose SAN is the seed's
name. Neither `renew` looks at the SAN to decide that nothing is due (certkeep reads
meta.json, certbot the certificate's expiry); a forced renewal orders the stored identifiers.
"""

import json
import os
import shutil
import sys

VERSION_FILES = {"cert.pem": 0o644, "chain.pem": 0o644, "fullchain.pem": 0o644,
                 "privkey.pem": 0o600, "meta.json": 0o644}
CERTBOT_FILES = {"cert": 0o644, "chain": 0o644, "fullchain": 0o644, "privkey": 0o600}


def names(count, prefix):
    return [f"{prefix}-{i:05d}.bench.test" for i in range(1, count + 1)]


def write(path, data, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def mkdir(path, mode=0o700):
    os.mkdir(path, mode)


def only_entry(directory):
    entries = [e for e in os.listdir(directory) if not e.startswith(".")]
    if len(entries) != 1:
        sys.exit(f"replicate_store: expected one entry in {directory}, found {entries}")
    return entries[0]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def certkeep(seed, dest, count, prefix):
    seed_name = only_entry(os.path.join(seed, "live"))
    target = os.readlink(os.path.join(seed, "live", seed_name))
    version = os.path.basename(target)
    files = {f: read(os.path.join(seed, "archive", seed_name, version, f)) for f in VERSION_FILES}
    meta = json.loads(files["meta.json"])
    settings = json.loads(read(os.path.join(seed, "state", seed_name, "settings.json")))
    renewal = read(os.path.join(seed, "state", seed_name, "renewal.json"))

    mkdir(dest)
    shutil.copytree(os.path.join(seed, "accounts"), os.path.join(dest, "accounts"))
    for top in ("archive", "live", "state", "locks"):
        mkdir(os.path.join(dest, top))
    for name in names(count, prefix):
        meta["domains"] = [name]
        meta["identifiers"] = ["dns:" + name]
        settings["identifiers"] = ["dns:" + name]
        files["meta.json"] = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
        vdir = os.path.join(dest, "archive", name, "1")
        mkdir(os.path.dirname(vdir))
        mkdir(vdir)
        for f, mode in VERSION_FILES.items():
            write(os.path.join(vdir, f), files[f], mode)
        os.symlink(f"../archive/{name}/1", os.path.join(dest, "live", name))
        sdir = os.path.join(dest, "state", name)
        mkdir(sdir)
        text = (json.dumps(settings, indent=2, sort_keys=True) + "\n").encode()
        write(os.path.join(sdir, "settings.json"), text, 0o600)
        write(os.path.join(sdir, "renewal.json"), renewal, 0o600)


def certbot(config, count, prefix):
    seed_conf = only_entry(os.path.join(config, "renewal"))
    seed_name = seed_conf[: -len(".conf")]
    conf = read(os.path.join(config, "renewal", seed_conf)).decode()
    archive = os.path.join(config, "archive", seed_name)
    files = {f: read(os.path.join(archive, f + "1.pem")) for f in CERTBOT_FILES}
    readme = read(os.path.join(config, "live", seed_name, "README"))
    for name in names(count, prefix):
        adir = os.path.join(config, "archive", name)
        ldir = os.path.join(config, "live", name)
        mkdir(adir, 0o755)
        mkdir(ldir, 0o755)
        for f, mode in CERTBOT_FILES.items():
            write(os.path.join(adir, f + "1.pem"), files[f], mode)
            os.symlink(f"../../archive/{name}/{f}1.pem", os.path.join(ldir, f + ".pem"))
        write(os.path.join(ldir, "README"), readme, 0o644)
        text = conf.replace(f"/archive/{seed_name}\n", f"/archive/{name}\n")
        text = text.replace(f"/live/{seed_name}/", f"/live/{name}/")
        write(os.path.join(config, "renewal", name + ".conf"), text.encode(), 0o644)
    os.remove(os.path.join(config, "renewal", seed_conf))
    shutil.rmtree(archive)
    shutil.rmtree(os.path.join(config, "live", seed_name))


def main(argv):
    os.umask(0o022)  # the modes given to open and mkdir are the modes the files get
    if len(argv) == 6 and argv[1] == "certkeep":
        certkeep(argv[2], argv[3], int(argv[4]), argv[5])
    elif len(argv) == 5 and argv[1] == "certbot":
        certbot(argv[2], int(argv[3]), argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
