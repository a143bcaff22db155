-- Dashboard card: how many actors are named.
select count(*) as n from actors
