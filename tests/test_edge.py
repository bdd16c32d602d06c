"""The reference nginx configuration (deploy/nginx.conf) and `manage.py bench_edge`, which runs
it: the benchmark renders the shipped file (not a copy of its own), nginx accepts what it
renders, and without nginx the command says how to install it."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cooperation.management.commands import bench_edge

CONF = Path(bench_edge.NGINX_CONF)


def test_the_rendered_configuration_is_the_reference_on_loopback_ports(tmp_path):
    text = bench_edge.render_nginx_conf(
        CONF.read_text(encoding="utf-8"), folder=tmp_path, port=18080, upstream=18000
    )
    assert "listen 127.0.0.1:18080;" in text and "server 127.0.0.1:18000;" in text
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "/var/" not in text and "/run/" not in text  # no production path left
    # What the reference says about caching is what the benchmark runs.
    for directive in (
        "proxy_cache portal;",
        "proxy_cache_use_stale updating",
        "proxy_cache_lock on;",
        "proxy_cache_bypass $cookie_sessionid;",
        "gzip_static on;",
        "gzip off;",
    ):
        assert directive in text


def test_a_reference_that_drifts_is_refused(tmp_path):
    text = CONF.read_text(encoding="utf-8").replace("listen 80;", "listen 8080;")
    with pytest.raises(CommandError, match="no longer contains 'listen 80;'"):
        bench_edge.render_nginx_conf(text, folder=tmp_path, port=1, upstream=2)


@pytest.mark.skipif(not Path(bench_edge.NGINX).exists(), reason="nginx is not installed")
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        bench_edge.render_nginx_conf(
            CONF.read_text(encoding="utf-8"), folder=tmp_path, port=18080, upstream=18000
        )
    )
    result = subprocess.run(
        [bench_edge.NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_without_nginx_the_command_says_how_to_install_it(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(bench_edge, "NGINX", "/nonexistent/nginx")
    with pytest.raises(CommandError) as refused:
        call_command("bench_edge")
    message = str(refused.value)
    assert "apt-get install nginx" in message and "\n" not in message


def test_the_command_wants_production_settings(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="production settings"):
        call_command("bench_edge")


def test_wrk_is_what_measures(settings, monkeypatch):
    if not Path(bench_edge.NGINX).exists():
        pytest.skip("nginx is not installed")
    settings.DEBUG = False
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="apt-get install wrk"):
        call_command("bench_edge")
