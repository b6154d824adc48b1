#!/usr/bin/perl
# check_entry_comments.pl ROOT: every SQL-callable C function has its comment.
#
# The SQL-callable C functions are those of PG_FUNCTION_INFO_V1(name) in
# ROOT/src/*.c, each defined as "Datum" on one line and "name(PG_FUNCTION_ARGS)"
# on the next. The rule, for each of them:
#
#   - a block comment (/* ... */) ends within the 3 lines above the "Datum"
#     line, or above the PG_FUNCTION_INFO_V1 line, with nothing but blank
#     lines and PG_FUNCTION_INFO_V1 lines between its end and that line;
#   - it spans at least two lines (its /* and */ are on different lines);
#   - it says what the function returns or checks: it contains "return",
#     "check", "ERROR" or an ERRCODE_ name (any case but ERRCODE_).
#
# A PG_FUNCTION_INFO_V1 inside a #define whose argument is a macro parameter
# (rfm_agg.c's RFM_KEYED_TRANSITION) defines one function per use of the
# macro at the start of a line, named by its first argument; the comment
# above the #define line, checked by the same rule, stands for all of them.
#
# Prints "ok: N SQL-callable C functions, each with its comment" and exits 0,
# or lists the offenders (file:line: name: what is missing) and exits 1.
# Core Perl only.
use strict;
use warnings;

my $root = shift // '.';
my @files = sort glob("$root/src/*.c");
die "check_entry_comments.pl: no src/*.c under $root\n" unless @files;

my $count = 0;
my @offenders;

# Problem with the comment ending in the 3 lines above line $at (0-based)
# of @$lines, or undef if there is a good one.
sub comment_problem {
	my ($lines, $at) = @_;
	my $end;
	for my $i (reverse(($at - 3 < 0 ? 0 : $at - 3) .. $at - 1)) {
		my $l = $lines->[$i];
		if ($l =~ m{\*/\s*$}) { $end = $i; last; }
		next if $l =~ /^\s*$/ || $l =~ /^\s*PG_FUNCTION_INFO_V1\(/;
		last;	# code in between: no comment of its own
	}
	return 'no block comment ending in the 3 lines above' unless defined $end;
	my $start = $end;
	$start-- while $start > 0 && $lines->[$start] !~ m{/\*};
	return 'no block comment ending in the 3 lines above' unless $lines->[$start] =~ m{^\s*/\*};
	return 'its comment is a single line' if $start == $end;
	my $text = join("\n", @{$lines}[$start .. $end]);
	return 'its comment says neither what it returns nor what it checks'
		unless $text =~ /return|check|\bERROR\b/i || $text =~ /\bERRCODE_[A-Z_]+/;
	return undef;
}

for my $file (@files) {
	open(my $fh, '<', $file) or die "$file: $!";
	my @lines = map { s/\r?\n\z//r } <$fh>;
	close $fh;
	(my $rel = $file) =~ s{^\Q$root\E/}{};

	for my $i (0 .. $#lines) {
		next unless $lines[$i] =~ /^\s*PG_FUNCTION_INFO_V1\(\s*(\w+)\s*\)/;
		my $name = $1;

		# inside a macro? walk up the backslash-continued lines to a #define
		my $d = $i;
		$d-- while $d > 0 && $lines[$d] !~ /^\s*#\s*define\b/ && $lines[$d - 1] =~ /\\\s*$/;
		my ($macro, $params) = $lines[$d] =~ /^\s*#\s*define\s+(\w+)\(([^)]*)\)/;
		if (defined $macro && ($d == $i || $lines[$d] =~ /\\\s*$/)) {
			if (grep { $_ eq $name } map { s/^\s+|\s+$//gr } split(/,/, $params)) {
				my @uses = map { /^\Q$macro\E\(\s*(\w+)/ ? $1 : () } @lines;
				$count += @uses;
				my $problem = comment_problem(\@lines, $d);
				push @offenders, sprintf('%s:%d: %s (%s): %s', $rel, $d + 1, $macro,
					join(', ', @uses) || 'never used', $problem) if $problem;
				next;
			}
		}

		$count++;
		my ($def) = grep { $lines[$_] =~ /^Datum\s*$/ && ($lines[$_ + 1] // '') =~ /^\Q$name\E\(PG_FUNCTION_ARGS\)/ } 0 .. $#lines;
		if (!defined $def) {
			push @offenders, sprintf('%s:%d: %s: no definition ("Datum", then "%s(PG_FUNCTION_ARGS)" on the next line)',
				$rel, $i + 1, $name, $name);
			next;
		}
		my $problem = comment_problem(\@lines, $def);
		$problem = undef if $problem && !comment_problem(\@lines, $i);
		push @offenders, sprintf('%s:%d: %s: %s', $rel, $def + 1, $name, $problem) if $problem;
	}
}

if (@offenders) {
	print "SQL-callable C functions without their comment:\n";
	print "  $_\n" for @offenders;
	exit 1;
}
die "check_entry_comments.pl: no PG_FUNCTION_INFO_V1 found under $root/src\n" unless $count;
print "ok: $count SQL-callable C functions, each with its comment\n";
exit 0;
