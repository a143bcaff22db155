"""Releases: a versioned, checksummed, citable copy of a build, and the differences between two builds.

- `diff`: compare two builds or releases by primary key; `report` renders that as CHANGES text or JSON;
- `version_scheme`: which part of MAJOR.MINOR.PATCH a set of changes requires;
- `citation`: the CITATION.cff of the dataset and of a release;
- `archive`: a byte-reproducible .tar.gz of a folder;
- `release`: make a release folder (and its archive) from a clean build;
- `releases`: where releases live and which versions are there.
"""
