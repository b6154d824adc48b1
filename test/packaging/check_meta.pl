#!/usr/bin/perl
# check_meta.pl: META.json against PGXN's meta spec 1.0.0 and the tree.
# Required keys present, the version equal to the control file's
# default_version (in the release and in every provides entry), every file
# it names in the tree, the prerequisite PostgreSQL 15. Prints TAP.
use strict;
use warnings;
use JSON::PP;

my $root = shift // '.';
my $n = 0;
my $failed = 0;
sub ok { my ($cond, $what) = @_; $n++; print(($cond ? "ok" : "not ok") . " $n - $what\n"); $failed++ unless $cond; }

open(my $fh, '<', "$root/META.json") or die "META.json: $!";
my $meta = decode_json(do { local $/; <$fh> });
open(my $ch, '<', "$root/rfm_kmeans.control") or die "control: $!";
my ($control_version) = map { /^default_version = '(.*)'/ ? $1 : () } <$ch>;

for my $key (qw(name abstract version maintainer license provides meta-spec)) {
	ok(defined $meta->{$key}, "META.json has $key");
}
ok(($meta->{'meta-spec'}{version} // '') eq '1.0.0', 'meta-spec version 1.0.0');
ok($meta->{name} eq 'rfm_kmeans', 'name is rfm_kmeans');
ok(defined $control_version && $meta->{version} eq $control_version,
	"release version $meta->{version} equals the control file's default_version");
ok($meta->{version} =~ /^\d+\.\d+\.\d+$/, 'the version is semantic (x.y.z)');
ok($meta->{license} eq 'postgresql' && -f "$root/LICENSE", 'license postgresql, LICENSE in the tree');
for my $ext (sort keys %{ $meta->{provides} }) {
	my $p = $meta->{provides}{$ext};
	ok(($p->{version} // '') eq $control_version, "provides $ext at the control file's version");
	ok(defined $p->{file} && -f "$root/$p->{file}", "provides $ext: its file $p->{file} exists");
	ok(!defined $p->{docfile} || -f "$root/$p->{docfile}", "provides $ext: its docfile exists");
	# from the base script's version, upgrade scripts lead to the release
	my ($v) = ($p->{file} // '') =~ /--([\d.]+)\.sql$/;
	my %seen;
	while (defined $v && $v ne $control_version && !$seen{$v}++) {
		my ($next) = map { m{--\Q$v\E--([\d.]+)\.sql$} ? $1 : () } glob("$root/src/$ext--$v--*.sql");
		$v = $next;
	}
	ok(defined $v && $v eq $control_version, "upgrade scripts lead from the base script to $control_version");
}
ok(($meta->{prereqs}{runtime}{requires}{PostgreSQL} // '') =~ /^15\./, 'requires PostgreSQL 15');
ok(ref $meta->{tags} eq 'ARRAY' && @{ $meta->{tags} } > 0, 'has tags');
print "1..$n\n";
exit($failed ? 1 : 0);
